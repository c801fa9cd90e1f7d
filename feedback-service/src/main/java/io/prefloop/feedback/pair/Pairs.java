package io.prefloop.feedback.pair;

import io.prefloop.common.web.ApiException;
import io.prefloop.feedback.project.Project;
import io.prefloop.feedback.project.Projects;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

@Service
public class Pairs {

    public static final RowMapper<PairView> MAPPER = (ResultSet rs, int row) -> {
        Timestamp resolved = rs.getTimestamp("resolved_at");
        double agreement = rs.getDouble("agreement");
        Double agreementOrNull = rs.wasNull() ? null : agreement;
        return new PairView(rs.getObject("id", UUID.class), rs.getObject("project_id", UUID.class),
                rs.getObject("candidate_a", UUID.class), rs.getObject("candidate_b", UUID.class),
                rs.getInt("judgments_needed"),
                new PairView.Votes(rs.getInt("votes_a"), rs.getInt("votes_b"), rs.getInt("votes_tie"),
                        rs.getInt("votes_both_bad")),
                rs.getInt("skips"), rs.getString("status"), rs.getString("outcome"), agreementOrNull,
                resolved == null ? null : resolved.toInstant(), rs.getTimestamp("created_at").toInstant());
    };

    private final JdbcClient jdbc;
    private final Projects projects;

    Pairs(JdbcClient jdbc, Projects projects) {
        this.jdbc = jdbc;
        this.projects = projects;
    }

    PairView create(UUID projectId, UUID a, UUID b) {
        Project project = projects.require(projectId);
        if (a.equals(b)) {
            throw ApiException.invalid("candidate_b", "must differ from candidate_a");
        }
        record Cand(UUID id, UUID projectId, String prompt) {}
        List<Cand> found = jdbc.sql("select id, project_id, prompt from candidates where id in (?, ?)")
                .params(a, b).query(Cand.class).list();
        for (UUID id : List.of(a, b)) {
            Cand c = found.stream().filter(f -> f.id().equals(id)).findFirst()
                    .orElseThrow(() -> ApiException.invalid(id.equals(a) ? "candidate_a" : "candidate_b",
                            "candidate " + id + " does not exist"));
            if (!c.projectId().equals(projectId)) {
                throw ApiException.invalid(id.equals(a) ? "candidate_a" : "candidate_b",
                        "candidate " + id + " belongs to another project");
            }
        }
        PairView pair = insert(project, a, b);
        if (pair == null) {
            throw ApiException.conflict("These two candidates are already a pair in this project");
        }
        return pair;
    }

    List<PairView> createFromPrompts(UUID projectId, List<String> prompts, Pairing pairing, int maxPairs) {
        Project project = projects.require(projectId);
        record Unpaired(UUID id, String prompt) {}
        List<Unpaired> unpaired = jdbc.sql("""
                select c.id, c.prompt from candidates c
                where c.project_id = :project and not c.demonstration
                  and (cast(:prompts as text[]) is null or c.prompt = any(cast(:prompts as text[])))
                  and not exists (select 1 from pairs p where p.project_id = c.project_id
                                  and (p.candidate_a = c.id or p.candidate_b = c.id))
                order by c.prompt, c.created_at, c.id""")
                .param("project", projectId)
                .param("prompts", prompts == null ? null : prompts.toArray(String[]::new))
                .query(Unpaired.class).list();
        Map<String, List<UUID>> byPrompt = new LinkedHashMap<>();
        unpaired.forEach(u -> byPrompt.computeIfAbsent(u.prompt(), k -> new ArrayList<>()).add(u.id()));
        List<PairView> created = new ArrayList<>();
        for (List<UUID> ids : byPrompt.values()) {
            for (int i = 0; i < ids.size() && created.size() < maxPairs; i++) {
                int step = pairing == Pairing.DISJOINT ? 2 : 1;
                if (pairing == Pairing.DISJOINT && i % 2 == 1) {
                    continue;
                }
                for (int j = i + 1; j < ids.size() && created.size() < maxPairs; j += step) {
                    PairView pair = insert(project, ids.get(i), ids.get(j));
                    if (pair != null) {
                        created.add(pair);
                    }
                    if (pairing == Pairing.DISJOINT) {
                        break;
                    }
                }
            }
        }
        return created;
    }

    public PairView require(UUID id) {
        return jdbc.sql("select * from pairs where id = ?").param(id).query(MAPPER).optional()
                .orElseThrow(() -> ApiException.notFound("Pair", id));
    }

    /** @return the new pair, or null when the two candidates are already paired */
    private PairView insert(Project project, UUID a, UUID b) {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return jdbc.sql("""
                insert into pairs (id, project_id, candidate_a, candidate_b, judgments_needed, created_at)
                values (?, ?, ?, ?, ?, ?) on conflict do nothing returning *""")
                .params(id, project.getId(), a, b, project.getJudgmentsPerPair(), Timestamp.from(now))
                .query(MAPPER).optional().orElse(null);
    }
}
