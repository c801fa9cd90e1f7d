package io.prefloop.trainer.registry;

import io.prefloop.common.auth.Caller;
import io.prefloop.common.io.Sha256;
import io.prefloop.common.web.ApiException;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Models and their checkpoints. A checkpoint is registered only after the SHA-256 of its weights
 * file matches its manifest, so the registry never points at a damaged or half-written checkpoint.
 */
@Service
public class Registry {

    private static final Logger log = LoggerFactory.getLogger(Registry.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final DirectoryCheckpointStore store;

    Registry(JdbcClient jdbc, JsonMapper json, DirectoryCheckpointStore store) {
        this.jdbc = jdbc;
        this.json = json;
        this.store = store;
    }

    /** Registers the store's checkpoints the registry does not know yet; damaged ones are skipped. */
    @Transactional
    public int syncFromStore() {
        int added = 0;
        for (String model : store.models()) {
            for (Manifest manifest : store.list(model)) {
                if (!known(manifest.id())) {
                    try {
                        register(manifest, jobOf(manifest));
                        added++;
                    } catch (ApiException e) {
                        log.warn("Checkpoint {} not registered: {}", manifest.id(), e.getMessage());
                    }
                }
            }
        }
        return added;
    }

    private static UUID jobOf(Manifest manifest) {
        Object job = manifest.dataset().get("job_id");
        try {
            return job instanceof String s ? UUID.fromString(s) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Registers a published checkpoint (idempotent), after checking its weights against the manifest. */
    @Transactional
    public CheckpointView register(Manifest manifest, UUID job) {
        CheckpointId id = manifest.id();
        String actual = sha256(store.directory(id).resolve(DirectoryCheckpointStore.WEIGHTS));
        if (!actual.equals(manifest.weightsSha256())) {
            throw ApiException.conflict("Checkpoint " + id + " is damaged: its weights hash " + actual
                    + " differs from the manifest's " + manifest.weightsSha256());
        }
        jdbc.sql("insert into models (name) values (?) on conflict do nothing").param(id.model()).update();
        jdbc.sql("""
                insert into checkpoints (model, version, parent, reference, method, job_id, architecture, hyperparameters,
                                         dataset, metrics, weights_sha256, created_at)
                values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?)
                on conflict do nothing""")
                .params(id.model(), id.version(), text(manifest.parent()), text(manifest.reference()),
                        manifest.method(), job, json.writeValueAsString(manifest.architecture()),
                        json.writeValueAsString(manifest.hyperparameters()), json.writeValueAsString(manifest.dataset()),
                        json.writeValueAsString(manifest.metrics()), manifest.weightsSha256(),
                        manifest.createdAt() == null ? null : Timestamp.from(manifest.createdAt()))
                .update();
        return checkpoint(id.model(), id.version());
    }

    /** The checkpoint a job published, if it got that far (a resumed job must not publish twice). */
    public java.util.Optional<CheckpointView> publishedBy(UUID job) {
        return jdbc.sql(SELECT + " where c.job_id = ?").param(job).query(this::map).optional();
    }

    public record ModelView(String name, String currentVersion, int checkpoints) {}

    public List<ModelView> models() {
        return jdbc.sql("""
                select m.name, m.current_version, count(c.version) checkpoints from models m
                left join checkpoints c on c.model = m.name group by m.name, m.current_version order by m.name""")
                .query(ModelView.class).list();
    }

    public List<CheckpointView> checkpoints(String model) {
        requireModel(model);
        return jdbc.sql(SELECT + " where c.model = ? order by c.registered_at, c.version").param(model)
                .query(this::map).list();
    }

    public CheckpointView checkpoint(String model, String version) {
        return jdbc.sql(SELECT + " where c.model = ? and c.version = ?").params(model, version).query(this::map)
                .optional().orElseThrow(() -> ApiException.notFound("Checkpoint", model + "/" + version));
    }

    /** Whether the model is registered and one of its checkpoints is current. */
    public boolean hasCurrent(String model) {
        return jdbc.sql("select count(*) from models where name = ? and current_version is not null").param(model)
                .query(Long.class).single() > 0;
    }

    public CheckpointView current(String model) {
        requireModel(model);
        return jdbc.sql(SELECT + " where c.model = ? and c.version = m.current_version").param(model)
                .query(this::map).optional()
                .orElseThrow(() -> ApiException.notFound("Current checkpoint of model", model));
    }

    /** Makes a checkpoint its model's current one, and records who did it and why. */
    @Transactional
    public CheckpointView promote(String model, String version, String reason, Caller caller) {
        String previous = jdbc.sql("select current_version from models where name = ? for update").param(model)
                .query(String.class).optional().orElse(null);
        requireModel(model);
        checkpoint(model, version);
        if (!version.equals(previous)) {
            jdbc.sql("update models set current_version = ? where name = ?").params(version, model).update();
            jdbc.sql("""
                    insert into promotions (model, version, previous_version, reason, promoted_by)
                    values (?, ?, ?, ?, ?)""").params(model, version, previous, reason, caller.id()).update();
        }
        return checkpoint(model, version);
    }

    private static final String SELECT = """
            select c.*, m.current_version = c.version as is_current
            from checkpoints c join models m on m.name = c.model""";

    private boolean known(CheckpointId id) {
        return jdbc.sql("select count(*) from checkpoints where model = ? and version = ?")
                .params(id.model(), id.version()).query(Integer.class).single() > 0;
    }

    private void requireModel(String model) {
        if (jdbc.sql("select count(*) from models where name = ?").param(model).query(Integer.class).single() == 0) {
            throw ApiException.notFound("Model", model);
        }
    }

    private CheckpointView map(ResultSet rs, int row) throws SQLException {
        Timestamp created = rs.getTimestamp("created_at");
        return new CheckpointView(rs.getString("model"), rs.getString("version"), rs.getString("parent"),
                rs.getString("reference"), rs.getString("method"), rs.getObject("job_id", UUID.class),
                json.readValue(rs.getString("architecture"), MAP), json.readValue(rs.getString("hyperparameters"), MAP),
                json.readValue(rs.getString("dataset"), MAP), json.readValue(rs.getString("metrics"), MAP),
                rs.getString("weights_sha256"), created == null ? null : created.toInstant(),
                rs.getTimestamp("registered_at").toInstant(), rs.getBoolean("is_current"));
    }

    private static String text(CheckpointId id) {
        return id == null ? null : id.toString();
    }

    private static String sha256(Path file) {
        try {
            return Sha256.hex(file);
        } catch (IOException e) {
            throw ApiException.conflict("Checkpoint weights " + file + " cannot be read: " + e.getMessage());
        }
    }
}
