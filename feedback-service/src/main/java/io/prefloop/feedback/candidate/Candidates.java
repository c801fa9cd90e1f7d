package io.prefloop.feedback.candidate;

import io.prefloop.common.auth.ApiKeys;
import io.prefloop.common.io.Sha256;
import io.prefloop.common.web.ApiException;
import io.prefloop.common.web.Page;
import io.prefloop.feedback.FeedbackProperties;
import io.prefloop.feedback.project.Modality;
import io.prefloop.feedback.project.Project;
import io.prefloop.feedback.project.Projects;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Stores candidates; images go into the content-addressed image table once. */
@Service
public class Candidates {

    private static final int MAX_PARAMS_JSON = 16 * 1024;
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final Projects projects;
    private final PngCheck pngCheck;
    private final FeedbackProperties properties;
    private final JsonMapper json;

    Candidates(JdbcClient jdbc, Projects projects, PngCheck pngCheck, FeedbackProperties properties, JsonMapper json) {
        this.jdbc = jdbc;
        this.projects = projects;
        this.pngCheck = pngCheck;
        this.properties = properties;
        this.json = json;
    }

    CandidateView create(UUID projectId, CandidateController.NewCandidate request) {
        return create(projectId, request, false, null);
    }

    /**
     * @param demonstration whether it is an example of what the model should produce (supervised
     *     fine-tuning data; left out of bulk pairing)
     * @param author who wrote it, for demonstrations (a caller's id)
     */
    CandidateView create(UUID projectId, CandidateController.NewCandidate request, boolean demonstration, String author) {
        Project project = projects.require(projectId);
        if (request.prompt().length() > properties.maxPromptLength()) {
            throw ApiException.invalid("prompt", "is longer than " + properties.maxPromptLength() + " characters");
        }
        // PostgreSQL's text cannot hold U+0000 (a byte-level language model can sample byte 0)
        if (request.prompt().indexOf('\0') >= 0) {
            throw ApiException.invalid("prompt", "must not contain NUL characters (U+0000)");
        }
        if (request.text() != null && request.text().indexOf('\0') >= 0) {
            throw ApiException.invalid("text", "must not contain NUL characters (U+0000)");
        }
        boolean hasText = request.text() != null;
        boolean hasImage = request.imageBase64() != null;
        if (hasText == hasImage) {
            throw ApiException.invalid(hasText ? "image_base64" : "text", "send exactly one of text and image_base64");
        }
        if (project.getModality() == Modality.TEXT && !hasText) {
            throw ApiException.invalid("text", "is required: the project compares texts");
        }
        if (project.getModality() == Modality.IMAGE && !hasImage) {
            throw ApiException.invalid("image_base64", "is required: the project compares images");
        }
        if (hasText && (request.text().isEmpty() || request.text().length() > properties.maxTextLength())) {
            throw ApiException.invalid("text", "must be 1 to " + properties.maxTextLength() + " characters");
        }
        String params = json.writeValueAsString(request.params() == null ? Map.of() : request.params());
        if (params.length() > MAX_PARAMS_JSON) {
            throw ApiException.invalid("params", "is larger than " + MAX_PARAMS_JSON + " bytes of JSON");
        }
        String sha256 = hasImage ? storeImage(request.imageBase64()) : null;
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        jdbc.sql("""
                insert into candidates (id, project_id, prompt, text, image_sha256, model, checkpoint, seed, params,
                                        demonstration, author, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)""")
                .params(id, projectId, request.prompt(), request.text(), sha256, request.model(), request.checkpoint(),
                        request.seed(), params, demonstration, author, Timestamp.from(now))
                .update();
        return new CandidateView(id, projectId, request.prompt(), request.text(), sha256,
                sha256 == null ? null : properties.imageUrl(sha256), request.model(), request.checkpoint(),
                request.seed(), json.readValue(params, MAP), demonstration, author, now);
    }

    public CandidateView require(UUID id) {
        return jdbc.sql("select * from candidates where id = ?").param(id).query(mapper()).optional()
                .orElseThrow(() -> ApiException.notFound("Candidate", id));
    }

    Page<CandidateView> list(UUID projectId, String after, int limit) {
        return list(projectId, after, limit, false);
    }

    /** @param demonstrationsOnly only the project's demonstrations */
    Page<CandidateView> list(UUID projectId, String after, int limit, boolean demonstrationsOnly) {
        projects.require(projectId);
        String which = demonstrationsOnly ? " and demonstration" : "";
        List<CandidateView> rows;
        if (after == null) {
            rows = jdbc.sql("select * from candidates where project_id = ?" + which + " order by created_at, id limit ?")
                    .params(projectId, limit + 1).query(mapper()).list();
        } else {
            CandidateView last = require(Page.uuidCursor(after));
            rows = jdbc.sql("select * from candidates where project_id = ? and (created_at, id) > (?, ?)" + which
                    + " order by created_at, id limit ?")
                    .params(projectId, Timestamp.from(last.createdAt()), last.id(), limit + 1).query(mapper()).list();
        }
        return Page.of(rows, limit, c -> c.id().toString());
    }

    public RowMapper<CandidateView> mapper() {
        return (ResultSet rs, int row) -> {
            String sha = rs.getString("image_sha256");
            long seed = rs.getLong("seed");
            return new CandidateView(rs.getObject("id", UUID.class), rs.getObject("project_id", UUID.class),
                    rs.getString("prompt"), rs.getString("text"), sha, sha == null ? null : properties.imageUrl(sha),
                    rs.getString("model"), rs.getString("checkpoint"), rs.wasNull() ? null : seed,
                    json.readValue(rs.getString("params"), MAP), rs.getBoolean("demonstration"), rs.getString("author"),
                    rs.getTimestamp("created_at").toInstant());
        };
    }

    private String storeImage(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("image_base64", "is not valid base64");
        }
        PngCheck.CheckedPng png = pngCheck.check(bytes);
        String sha256 = Sha256.hex(png.bytes());
        jdbc.sql("insert into images (sha256, width, height, png) values (?, ?, ?, ?) on conflict do nothing")
                .params(sha256, png.width(), png.height(), png.bytes()).update();
        return sha256;
    }
}
