package io.prefloop.feedback.evaluation;

import io.prefloop.feedback.project.Projects;
import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Human win rates of checkpoints, from a project's evaluation pairs. */
@Service
public class Evaluations {

    private final JdbcClient jdbc;
    private final Projects projects;

    Evaluations(JdbcClient jdbc, Projects projects) {
        this.jdbc = jdbc;
        this.projects = projects;
    }

    /** @param checkpoint only rows of this candidate-a checkpoint; all when null */
    @Transactional(readOnly = true)
    public List<WinRate> winRates(UUID projectId, String checkpoint) {
        projects.require(projectId);
        record Row(String checkpoint, String against, long pairs, long open, long resolved, long wins, long losses,
                long ties, long bothBad, Timestamp firstCreatedAt) {}
        return jdbc.sql("""
                select ca.checkpoint, cb.checkpoint against, count(*) pairs,
                       count(*) filter (where p.status = 'open') open,
                       count(*) filter (where p.status = 'resolved') resolved,
                       sum(p.votes_a) wins, sum(p.votes_b) losses, sum(p.votes_tie) ties,
                       sum(p.votes_both_bad) both_bad, min(p.created_at) first_created_at
                from pairs p
                join candidates ca on ca.id = p.candidate_a join candidates cb on cb.id = p.candidate_b
                where p.project_id = :project and p.purpose = 'evaluation'
                  and (cast(:checkpoint as text) is null or ca.checkpoint = :checkpoint)
                group by ca.checkpoint, cb.checkpoint
                order by min(p.created_at), ca.checkpoint, cb.checkpoint""")
                .param("project", projectId).param("checkpoint", checkpoint)
                .query(Row.class).list().stream()
                .map(r -> {
                    long votes = r.wins() + r.losses() + r.ties();
                    Double rate = null;
                    WilsonInterval ci = null;
                    if (votes > 0) {
                        double successes = r.wins() + r.ties() / 2.0;
                        rate = successes / votes;
                        ci = WilsonInterval.of95(successes, votes);
                    }
                    return new WinRate(r.checkpoint(), r.against(), r.pairs(), r.open(), r.resolved(), r.wins(),
                            r.losses(), r.ties(), r.bothBad(), votes, rate, ci == null ? null : ci.low(),
                            ci == null ? null : ci.high(), r.firstCreatedAt().toInstant());
                }).toList();
    }
}
