package io.prefloop.feedback.candidate;

import io.prefloop.feedback.FeedbackProperties;
import io.prefloop.feedback.project.Projects;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Builds the sample grid: the newest checkpoints of a project, its most shared prompts, the first candidate of each. */
@Service
class Samples {

    private final JdbcClient jdbc;
    private final Projects projects;
    private final FeedbackProperties properties;

    Samples(JdbcClient jdbc, Projects projects, FeedbackProperties properties) {
        this.jdbc = jdbc;
        this.projects = projects;
        this.properties = properties;
    }

    @Transactional(readOnly = true)
    SampleGrid grid(UUID projectId, int promptCount, int checkpointCount) {
        projects.require(projectId);
        record Checkpoint(String model, String checkpoint, Instant firstAt, long candidates) {}
        List<Checkpoint> checkpoints = new ArrayList<>(jdbc.sql("""
                select model, checkpoint, min(created_at) first_at, count(*) candidates from candidates
                where project_id = ? group by model, checkpoint order by min(created_at) desc limit ?""")
                .params(projectId, checkpointCount).query(Checkpoint.class).list());
        java.util.Collections.reverse(checkpoints);
        List<String> prompts = jdbc.sql("""
                select prompt from candidates where project_id = ? group by prompt
                order by count(distinct (coalesce(model, ''), coalesce(checkpoint, ''))) desc, min(created_at), prompt
                limit ?""")
                .params(projectId, promptCount).query(String.class).list();
        Map<String, SampleGrid.Sample> firsts = new HashMap<>();
        jdbc.sql("""
                select distinct on (model, checkpoint, prompt) id, model, checkpoint, prompt, text, image_sha256, seed
                from candidates where project_id = ? and prompt = any(?)
                order by model, checkpoint, prompt, created_at, id""")
                .params(projectId, prompts.toArray(String[]::new))
                .query((rs, n) -> {
                    String sha = rs.getString("image_sha256");
                    long seed = rs.getLong("seed");
                    Long seedOrNull = rs.wasNull() ? null : seed;
                    return firsts.put(cell(rs.getString("model"), rs.getString("checkpoint"), rs.getString("prompt")),
                            new SampleGrid.Sample(rs.getObject("id", UUID.class), rs.getString("text"),
                                    sha == null ? null : properties.imageUrl(sha), seedOrNull));
                }).list();
        List<SampleGrid.Row> rows = checkpoints.stream().map(c -> new SampleGrid.Row(c.model(), c.checkpoint(),
                c.firstAt(), c.candidates(), prompts.stream()
                        .map(p -> firsts.get(cell(c.model(), c.checkpoint(), p))).toList())).toList();
        return new SampleGrid(projectId, prompts, rows);
    }

    private static String cell(String model, String checkpoint, String prompt) {
        return Objects.toString(model, "") + '\u0000' + Objects.toString(checkpoint, "") + '\u0000' + prompt;
    }
}
