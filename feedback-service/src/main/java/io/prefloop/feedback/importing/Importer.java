package io.prefloop.feedback.importing;

import io.prefloop.common.io.Sha256;
import io.prefloop.common.web.ApiException;
import io.prefloop.feedback.candidate.PngCheck;
import io.prefloop.feedback.comparison.FeedSequencer;
import io.prefloop.feedback.project.Modality;
import io.prefloop.feedback.project.Project;
import io.prefloop.feedback.project.Projects;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a preference dataset (JSON lines) into candidates and resolved training pairs, all or
 * nothing: every row is checked before anything is written.
 */
@Service
class Importer {

    static final int MAX_ROWS = 10_000;
    private static final int MAX_EXTRA_JSON = 16 * 1024;

    private final JdbcClient jdbc;
    private final Projects projects;
    private final FeedSequencer sequencer;
    private final TrlRows trl;
    private final PickapicRows pickapic;
    private final JsonMapper json;

    Importer(JdbcClient jdbc, Projects projects, FeedSequencer sequencer, TrlRows trl, PickapicRows pickapic,
            JsonMapper json) {
        this.jdbc = jdbc;
        this.projects = projects;
        this.sequencer = sequencer;
        this.trl = trl;
        this.pickapic = pickapic;
        this.json = json;
    }

    /** @param feedFrom the first comparisons-feed position the import's pairs took; null when it made none */
    record Result(@com.fasterxml.jackson.annotation.JsonProperty("import") UUID id, int rows, int pairs, int candidates,
            Long feedFrom) {}

    Result run(UUID projectId, ImportFormat format, byte[] body, String callerId) {
        Project project = projects.require(projectId);
        Modality wanted = format == ImportFormat.TRL ? Modality.TEXT : Modality.IMAGE;
        if (project.getModality() != wanted) {
            throw ApiException.invalid("format", format.json() + " rows hold " + (wanted == Modality.TEXT ? "texts" : "images")
                    + "; this project compares " + (wanted == Modality.TEXT ? "images" : "texts"));
        }
        UUID importId = UUID.randomUUID();
        List<ImportRow> rows = parse(format, decode(body), importId);
        if (rows.isEmpty()) {
            throw ApiException.invalid("body", "has no rows");
        }
        return store(project, format, importId, rows, callerId);
    }

    private static String decode(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.invalid("body", "is not UTF-8 text");
        }
    }

    private List<ImportRow> parse(ImportFormat format, String body, UUID importId) {
        List<ImportRow> rows = new ArrayList<>();
        int row = 0;
        int start = 0;
        while (start < body.length()) {
            int end = body.indexOf('\n', start);
            if (end < 0) {
                end = body.length();
            }
            String line = body.substring(start, end);
            start = end + 1;
            row++;
            if (line.isBlank()) {
                continue;
            }
            if (rows.size() == MAX_ROWS) {
                throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "Too many rows",
                        "An import holds at most " + MAX_ROWS + " rows; split the dataset into several imports");
            }
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (JacksonException e) {
                throw RowProblem.of(row, null, "is not valid JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw RowProblem.of(row, null, "must be a JSON object");
            }
            Set<String> consumed = format == ImportFormat.TRL ? TrlRows.FIELDS : PickapicRows.FIELDS;
            Map<String, Object> extra = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!consumed.contains(field.getKey())) {
                    extra.put(field.getKey(), field.getValue());
                }
            }
            Map<String, Object> base = new LinkedHashMap<>();
            base.put("source", "import");
            base.put("import", importId.toString());
            base.put("row", row);
            if (!extra.isEmpty()) {
                if (json.writeValueAsString(extra).length() > MAX_EXTRA_JSON) {
                    throw RowProblem.of(row, null, "its other fields (" + String.join(", ", extra.keySet())
                            + ") are larger than " + MAX_EXTRA_JSON + " bytes of JSON");
                }
                base.put("extra", extra);
            }
            rows.add(format == ImportFormat.TRL ? trl.parse(row, node, base) : pickapic.parse(row, node, base));
        }
        return rows;
    }

    private Result store(Project project, ImportFormat format, UUID importId, List<ImportRow> rows, String callerId) {
        int n = rows.size();
        Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS));
        jdbc.sql("insert into imports (id, project_id, format, rows, caller_id, created_at) values (?, ?, ?, ?, ?, ?)")
                .params(importId, project.getId(), format.json(), n, callerId, now).update();
        UUID[] candidateIds = new UUID[2 * n];
        String[] prompts = new String[2 * n];
        String[] texts = new String[2 * n];
        String[] images = new String[2 * n];
        String[] params = new String[2 * n];
        Map<String, PngCheck.CheckedPng> pngs = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            ImportRow row = rows.get(i);
            List<ImportRow.Side> sides = List.of(row.a(), row.b());
            for (int s = 0; s < 2; s++) {
                ImportRow.Side side = sides.get(s);
                int k = 2 * i + s;
                candidateIds[k] = UUID.randomUUID();
                prompts[k] = row.prompt();
                texts[k] = side.text();
                if (side.png() != null) {
                    images[k] = Sha256.hex(side.png().bytes());
                    pngs.putIfAbsent(images[k], side.png());
                } else {
                    images[k] = side.imageSha256();
                }
                params[k] = json.writeValueAsString(side.params());
            }
        }
        for (Map.Entry<String, PngCheck.CheckedPng> png : pngs.entrySet()) {
            jdbc.sql("insert into images (sha256, width, height, png) values (?, ?, ?, ?) on conflict do nothing")
                    .params(png.getKey(), png.getValue().width(), png.getValue().height(), png.getValue().bytes()).update();
        }
        jdbc.sql("""
                insert into candidates (id, project_id, prompt, text, image_sha256, params, created_at)
                select c.id, :project, c.prompt, c.text, c.image, c.params::jsonb, :now
                from unnest(cast(:ids as uuid[]), cast(:prompts as text[]), cast(:texts as text[]),
                            cast(:images as text[]), cast(:params as text[])) c (id, prompt, text, image, params)""")
                .param("project", project.getId()).param("now", now).param("ids", candidateIds)
                .param("prompts", prompts).param("texts", texts).param("images", images).param("params", params)
                .update();
        UUID[] pairIds = new UUID[n];
        UUID[] as = new UUID[n];
        UUID[] bs = new UUID[n];
        String[] outcomes = new String[n];
        for (int i = 0; i < n; i++) {
            pairIds[i] = UUID.randomUUID();
            as[i] = candidateIds[2 * i];
            bs[i] = candidateIds[2 * i + 1];
            outcomes[i] = rows.get(i).outcome();
        }
        // last, so that the project's row (which readers of the feed lock) is held only briefly
        long first = sequencer.reserve(project.getId(), n);
        jdbc.sql("""
                insert into pairs (id, project_id, candidate_a, candidate_b, judgments_needed, votes_a, votes_b, votes_tie,
                                   status, outcome, agreement, resolved_at, purpose, source, feed_position, created_at)
                select p.id, :project, p.a, p.b, 1, (p.outcome = 'a')::int, (p.outcome = 'b')::int,
                       (p.outcome = 'tie')::int, 'resolved', p.outcome, 1, :now, 'training', :source,
                       :first + p.n - 1, :now
                from unnest(cast(:ids as uuid[]), cast(:as as uuid[]), cast(:bs as uuid[]), cast(:outcomes as text[]))
                     with ordinality p (id, a, b, outcome, n)""")
                .param("project", project.getId()).param("now", now).param("source", "import:" + importId)
                .param("first", first).param("ids", pairIds).param("as", as).param("bs", bs)
                .param("outcomes", outcomes).update();
        return new Result(importId, n, n, 2 * n, first);
    }
}
