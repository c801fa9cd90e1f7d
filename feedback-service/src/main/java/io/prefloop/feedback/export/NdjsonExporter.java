package io.prefloop.feedback.export;

import io.prefloop.feedback.FeedbackProperties;
import io.prefloop.feedback.project.Modality;
import io.prefloop.feedback.project.Project;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an export row by row from a server-side cursor straight to the response: memory stays
 * constant however many comparisons the project holds.
 */
@Component
class NdjsonExporter {

    private static final int FETCH_SIZE = 1000;
    /** Bytes per write to the response: Tomcat would otherwise send a chunk every 8 KB. */
    private static final int BUFFER_SIZE = 64 * 1024;

    private static final String DECISIVE_PAIRS = """
            select ca.prompt, p.outcome, ca.text a_text, cb.text b_text, ca.image_sha256 a_image, cb.image_sha256 b_image
            from pairs p join candidates ca on ca.id = p.candidate_a join candidates cb on cb.id = p.candidate_b
            where p.project_id = ? and p.feed_position <= ? and p.outcome in ('a', 'b')
            order by p.feed_position""";

    /**
     * One row per labeler's judgment; an imported pair (no judgments, a {@code source}) is one row
     * with its outcome as the choice and its source as the user.
     */
    private static final String PICKAPIC_JUDGMENTS = """
            select r.ranking_id, r.labeler_id, r.choice, r.created_at, ca.prompt, ca.id a_id, cb.id b_id,
                   ca.image_sha256 a_image, cb.image_sha256 b_image, ca.model a_model, cb.model b_model
            from (select p.feed_position, p.candidate_a, p.candidate_b, j.id ranking_id, j.labeler_id::text labeler_id,
                         j.choice, j.created_at
                  from pairs p join judgments j on j.pair_id = p.id
                  where p.project_id = ? and p.feed_position <= ? and j.choice in ('a', 'b', 'tie')
                  union all
                  select p.feed_position, p.candidate_a, p.candidate_b, p.id, p.source, p.outcome, p.resolved_at
                  from pairs p
                  where p.project_id = ? and p.feed_position <= ? and p.source is not null
                    and p.outcome in ('a', 'b', 'tie')) r
            join candidates ca on ca.id = r.candidate_a join candidates cb on cb.id = r.candidate_b
            order by r.feed_position, r.created_at, r.ranking_id""";

    private final DataSource dataSource;
    private final ObjectWriter lines;
    private final FeedbackProperties properties;

    NdjsonExporter(DataSource dataSource, JsonMapper json, FeedbackProperties properties) {
        this.dataSource = dataSource;
        this.lines = json.writer().withRootValueSeparator("\n");
        this.properties = properties;
    }

    void write(ExportFormat format, Project project, long upToPosition, OutputStream out) throws IOException {
        String sql = format == ExportFormat.PICKAPIC ? PICKAPIC_JUDGMENTS : DECISIVE_PAIRS;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
            connection.setReadOnly(true);
            try (Statement settings = connection.createStatement()) {
                // An export reads every resolved pair of the project, so hash joins (one pass over the
                // candidates) beat two index lookups per row. Right after the feed has numbered many new
                // resolutions the statistics still say there are none, and the planner would pick those
                // lookups: three times slower for 100,000 pairs.
                settings.execute("set local enable_nestloop = off");
                // pickapic sorts every judgment of the project; with the default 4 MB the sort of
                // 100,000 rows spilled about 25 MB to disk. 64 MB, for this transaction only, bounds
                // what one export may hold in PostgreSQL's memory and keeps that sort in it.
                settings.execute("set local work_mem = '64MB'");
            }
            try (PreparedStatement statement = connection.prepareStatement(sql);
                    JsonGenerator g = lines.createGenerator(new BufferedOutputStream(out, BUFFER_SIZE))) {
                statement.setFetchSize(FETCH_SIZE);
                statement.setObject(1, project.getId());
                statement.setLong(2, upToPosition);
                if (format == ExportFormat.PICKAPIC) {
                    statement.setObject(3, project.getId());
                    statement.setLong(4, upToPosition);
                }
                try (ResultSet rs = statement.executeQuery()) {
                    boolean any = false;
                    while (rs.next()) {
                        switch (format) {
                            case TRL -> trl(g, rs, project.getModality());
                            case OPENAI -> openai(g, rs);
                            case PICKAPIC -> pickapic(g, rs);
                        }
                        any = true;
                    }
                    if (any) {
                        g.writeRaw('\n');
                    }
                }
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new IOException("Export failed", e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void trl(JsonGenerator g, ResultSet rs, Modality modality) throws SQLException {
        boolean aWins = rs.getString("outcome").equals("a");
        String a = modality == Modality.TEXT ? rs.getString("a_text") : properties.imageUrl(rs.getString("a_image"));
        String b = modality == Modality.TEXT ? rs.getString("b_text") : properties.imageUrl(rs.getString("b_image"));
        g.writeStartObject();
        g.writeStringProperty("prompt", rs.getString("prompt"));
        g.writeStringProperty("chosen", aWins ? a : b);
        g.writeStringProperty("rejected", aWins ? b : a);
        g.writeEndObject();
    }

    private void openai(JsonGenerator g, ResultSet rs) throws SQLException {
        boolean aWins = rs.getString("outcome").equals("a");
        g.writeStartObject();
        g.writeName("input");
        g.writeStartObject();
        g.writeName("messages");
        g.writeStartArray();
        message(g, "user", rs.getString("prompt"));
        g.writeEndArray();
        g.writeEndObject();
        g.writeName("preferred_output");
        g.writeStartArray();
        message(g, "assistant", rs.getString(aWins ? "a_text" : "b_text"));
        g.writeEndArray();
        g.writeName("non_preferred_output");
        g.writeStartArray();
        message(g, "assistant", rs.getString(aWins ? "b_text" : "a_text"));
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void message(JsonGenerator g, String role, String content) {
        g.writeStartObject();
        g.writeStringProperty("role", role);
        g.writeStringProperty("content", content);
        g.writeEndObject();
    }

    private void pickapic(JsonGenerator g, ResultSet rs) throws SQLException {
        String choice = rs.getString("choice");
        double label0 = switch (choice) {
            case "a" -> 1.0;
            case "b" -> 0.0;
            default -> 0.5;
        };
        String a = rs.getString("a_id");
        String b = rs.getString("b_id");
        String aImage = rs.getString("a_image");
        String bImage = rs.getString("b_image");
        g.writeStartObject();
        g.writeStringProperty("caption", rs.getString("prompt"));
        g.writeStringProperty("image_0_uid", a);
        g.writeStringProperty("image_1_uid", b);
        g.writeStringProperty("image_0_url", properties.imageUrl(aImage));
        g.writeStringProperty("image_1_url", properties.imageUrl(bImage));
        g.writeNumberProperty("label_0", label0);
        g.writeNumberProperty("label_1", 1.0 - label0);
        g.writeStringProperty("model_0", rs.getString("a_model"));
        g.writeStringProperty("model_1", rs.getString("b_model"));
        g.writeStringProperty("user_id", rs.getString("labeler_id"));
        g.writeStringProperty("ranking_id", rs.getString("ranking_id"));
        g.writeStringProperty("created_at", rs.getObject("created_at", OffsetDateTime.class).toInstant().toString());
        g.writeBooleanProperty("has_label", true);
        g.writeBooleanProperty("are_different", !aImage.equals(bImage));
        g.writeStringProperty("best_image_uid", switch (choice) {
            case "a" -> a;
            case "b" -> b;
            default -> "";
        });
        g.writeEndObject();
    }
}
