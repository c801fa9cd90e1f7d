package io.prefloop.trainer.job;

import io.prefloop.common.auth.Caller;
import io.prefloop.common.web.ApiException;
import io.prefloop.common.web.Page;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

@Service
public class Jobs {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final CheckpointReferences checkpoints;

    Jobs(JdbcClient jdbc, JsonMapper json, CheckpointReferences checkpoints) {
        this.jdbc = jdbc;
        this.json = json;
        this.checkpoints = checkpoints;
    }

    @Transactional
    public JobView create(JobController.NewJob request, Caller caller) {
        Method method = request.method();
        if (method.needsProject() && request.project() == null) {
            throw ApiException.invalid("project", "is required: " + method.json()
                    + " learns from a feedback project's comparisons");
        }
        Map<String, Object> hyperparameters = method.resolve(request.hyperparameters());
        List<ReferenceImage> references = ReferenceImages.check(method, request.references());
        checkpoints.check(method, request.model(), method.settings(hyperparameters));
        long seed = request.seed() == null ? ThreadLocalRandom.current().nextLong(1L << 48) : request.seed();
        UUID id = insert(method, request.model(), request.project(), hyperparameters, seed, request.suffix(),
                caller.id(), null, null, null);
        if (!references.isEmpty()) {
            jdbc.sql("update jobs set inputs = ?::jsonb where id = ?")
                    .params(json.writeValueAsString(Map.of("references", references)), id).update();
        }
        event(id, "info", "message", "Job created and queued", null);
        return require(id);
    }

    /** A job an online policy queues on the feed range (after, to]; its hyperparameters are already resolved. */
    @Transactional
    public JobView createForPolicy(UUID policy, Method method, String model, UUID project,
            Map<String, Object> hyperparameters, long feedAfter, long feedTo, long seed) {
        UUID id = insert(method, model, project, hyperparameters, seed,
                null, "policy:" + policy, policy, feedAfter, feedTo);
        event(id, "info", "message", "Policy " + policy + " queued this job on comparisons " + (feedAfter + 1)
                + "–" + feedTo, null);
        return require(id);
    }

    private UUID insert(Method method, String model, UUID project, Map<String, Object> hyperparameters, long seed,
            String suffix, String createdBy, UUID policy, Long feedAfter, Long feedTo) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into jobs (id, method, model, project_id, hyperparameters, seed, suffix, steps_total, created_by,
                                  created_at, policy_id, feed_after, feed_to)
                values (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(id, method.json(), model, project, json.writeValueAsString(hyperparameters), seed, suffix,
                        hyperparameters.get("steps"), createdBy, Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS)),
                        policy, feedAfter, feedTo)
                .update();
        return id;
    }

    /** The job's reference images (DCO), as given at creation. */
    public List<ReferenceImage> references(UUID id) {
        String inputs = jdbc.sql("select inputs from jobs where id = ?").param(id).query(String.class).optional()
                .orElse(null);
        if (inputs == null) {
            return List.of();
        }
        return List.of(json.readValue(json.readTree(inputs).get("references").toString(), ReferenceImage[].class));
    }

    public JobView require(UUID id) {
        return jdbc.sql("select * from jobs where id = ?").param(id).query(this::map).optional()
                .orElseThrow(() -> ApiException.notFound("Job", id));
    }

    public Page<JobView> list(String status, String model, String after, int limit) {
        Instant afterTime = Instant.ofEpochSecond(0);
        UUID afterId = new UUID(0, 0);
        if (after != null) {
            JobView last = require(Page.uuidCursor(after));
            afterTime = last.createdAt();
            afterId = last.id();
        }
        List<JobView> rows = jdbc.sql("""
                select * from jobs
                where (cast(:status as text) is null or status = :status)
                  and (cast(:model as text) is null or model = :model)
                  and (created_at, id) > (:afterTime, :afterId)
                order by created_at, id limit :limit""")
                .param("status", status).param("model", model).param("afterTime", Timestamp.from(afterTime))
                .param("afterId", afterId).param("limit", limit + 1)
                .query(this::map).list();
        return Page.of(rows, limit, j -> j.id().toString());
    }

    /** Queued jobs are cancelled at once; a running job is asked to stop and its worker ends it. */
    @Transactional
    public JobView cancel(UUID id) {
        JobView job = jdbc.sql("select * from jobs where id = ? for update").param(id).query(this::map).optional()
                .orElseThrow(() -> ApiException.notFound("Job", id));
        switch (job.status()) {
            case "queued" -> {
                jdbc.sql("update jobs set status = 'cancelled', cancel_requested = true, finished_at = now() where id = ?")
                        .param(id).update();
                event(id, "info", "message", "Job cancelled before it started", null);
            }
            case "running" -> {
                if (!job.cancelRequested()) {
                    jdbc.sql("update jobs set cancel_requested = true where id = ?").param(id).update();
                    event(id, "info", "message", "Cancellation requested; the worker stops at the next step", null);
                }
            }
            default -> throw ApiException.conflict("The job has already " + job.status() + "; it cannot be cancelled");
        }
        return require(id);
    }

    public Page<JobEventView> events(UUID id, String after, int limit) {
        require(id);
        long from = after == null ? 0 : Page.longCursor(after);
        List<JobEventView> rows = jdbc.sql("select * from job_events where job_id = ? and id > ? order by id limit ?")
                .params(id, from, limit + 1)
                .query((rs, n) -> new JobEventView(rs.getLong("id"), rs.getTimestamp("created_at").toInstant(),
                        rs.getString("level"), rs.getString("type"), rs.getString("message"),
                        rs.getString("data") == null ? null : json.readValue(rs.getString("data"), MAP)))
                .list();
        return Page.of(rows, limit, e -> Long.toString(e.id()));
    }

    /**
     * Records what the promotion gate decided about the job's checkpoint, on the job and as a
     * {@code promotion} event whose data are the same fields.
     */
    public void recordPromotion(UUID job, JobView.Promotion promotion, String message) {
        jdbc.sql("update jobs set promotion = ?::jsonb where id = ?")
                .params(json.writeValueAsString(promotion), job).update();
        event(job, promotion.promoted() ? "info" : "warn", "promotion", message, json.convertValue(promotion, MAP));
    }

    public void event(UUID job, String level, String type, String message, Map<String, Object> data) {
        jdbc.sql("insert into job_events (job_id, level, type, message, data) values (?, ?, ?, ?, ?::jsonb)")
                .params(job, level, type, message, data == null ? null : json.writeValueAsString(data)).update();
    }

    private JobView map(ResultSet rs, int row) throws SQLException {
        return new JobView(rs.getObject("id", UUID.class), "fine_tuning.job", Method.parse(rs.getString("method")),
                rs.getString("model"), rs.getObject("project_id", UUID.class),
                json.readValue(rs.getString("hyperparameters"), MAP), rs.getLong("seed"), rs.getString("suffix"),
                rs.getString("status"), rs.getBoolean("cancel_requested"), rs.getString("error"),
                new JobView.Progress(rs.getInt("steps_done"), rs.getInt("steps_total")), rs.getString("created_by"),
                instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at"),
                rs.getObject("policy_id", UUID.class), (Long) rs.getObject("feed_after"), (Long) rs.getObject("feed_to"),
                rs.getString("result_version") == null ? null
                        : new JobView.Result(rs.getString("result_model"), rs.getString("result_version")),
                rs.getString("promotion") == null ? null
                        : json.readValue(rs.getString("promotion"), JobView.Promotion.class));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
