package io.prefloop.feedback.pair;

import io.prefloop.common.web.ApiException;
import io.prefloop.feedback.FeedbackProperties;
import io.prefloop.feedback.project.Modality;
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
        double pA = rs.getDouble("p_a");
        Double pAOrNull = rs.wasNull() ? null : pA;
        return new PairView(rs.getObject("id", UUID.class), rs.getObject("project_id", UUID.class),
                rs.getObject("candidate_a", UUID.class), rs.getObject("candidate_b", UUID.class),
                rs.getInt("judgments_needed"),
                new PairView.Votes(rs.getInt("votes_a"), rs.getInt("votes_b"), rs.getInt("votes_tie"),
                        rs.getInt("votes_both_bad")),
                rs.getInt("skips"), rs.getString("status"), rs.getString("outcome"), agreementOrNull,
                resolved == null ? null : resolved.toInstant(), rs.getTimestamp("created_at").toInstant(),
                pAOrNull, rs.getString("scored_by"), rs.getString("served_by"), rs.getString("purpose"),
                rs.getString("source"));
    };

    private final JdbcClient jdbc;
    private final Projects projects;
    private final FeedbackProperties properties;

    Pairs(JdbcClient jdbc, Projects projects, FeedbackProperties properties) {
        this.jdbc = jdbc;
        this.projects = projects;
        this.properties = properties;
    }

    PairView create(UUID projectId, UUID a, UUID b, Double pA, String scoredBy, Purpose purpose) {
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
        PairView pair = insert(project, a, b, pA, scoredBy, purpose);
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
                    PairView pair = insert(project, ids.get(i), ids.get(j), null, null, Purpose.TRAINING);
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

    /**
     * Sets the scores of the listed pairs that are still open; resolved and retired ones are left
     * as they are. A pair that is not the project's refuses the whole request.
     *
     * @return how many pairs were scored and how many were skipped (not open)
     */
    ScoreResult score(UUID projectId, String scoredBy, List<PairController.Score> scores) {
        projects.require(projectId);
        Map<UUID, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < scores.size(); i++) {
            if (index.putIfAbsent(scores.get(i).pair(), i) != null) {
                throw ApiException.invalid("scores[" + i + "].pair", "pair " + scores.get(i).pair() + " is listed twice");
            }
        }
        UUID[] ids = index.keySet().toArray(UUID[]::new);
        record Found(UUID id, UUID projectId) {}
        // locked in id order, so that two concurrent score requests cannot deadlock
        Map<UUID, Found> found = new LinkedHashMap<>();
        jdbc.sql("select id, project_id from pairs where id = any(?) order by id for update")
                .param(ids).query(Found.class).list().forEach(f -> found.put(f.id(), f));
        for (Map.Entry<UUID, Integer> e : index.entrySet()) {
            Found f = found.get(e.getKey());
            if (f == null || !f.projectId().equals(projectId)) {
                throw ApiException.invalid("scores[" + e.getValue() + "].pair", "pair " + e.getKey()
                        + (f == null ? " does not exist" : " belongs to another project"));
            }
        }
        Double[] values = index.values().stream().map(i -> scores.get(i).pA()).toArray(Double[]::new);
        int updated = jdbc.sql("""
                update pairs p set p_a = s.p_a, scored_by = :scoredBy
                from unnest(cast(:ids as uuid[]), cast(:values as float8[])) s (id, p_a)
                where p.id = s.id and p.status = 'open'""")
                .param("scoredBy", scoredBy).param("ids", ids).param("values", values).update();
        return new ScoreResult(updated, ids.length - updated);
    }

    record ScoreResult(int updated, int skipped) {}

    /**
     * Retires the project's open training pairs whose candidate a comes from one of
     * {@code checkpoints} and that nobody has touched: no votes, no skips, no live lease. Pairs being
     * claimed or judged at this moment are locked by that labeler and are left alone. Evaluation
     * pairs are never retired: a promotion decision may wait on them.
     *
     * @return how many pairs were retired
     */
    int retire(UUID projectId, List<String> checkpoints) {
        projects.require(projectId);
        UUID[] locked = jdbc.sql("""
                select p.id from pairs p join candidates ca on ca.id = p.candidate_a
                where p.project_id = ? and p.status = 'open' and p.purpose = 'training' and ca.checkpoint = any(?)
                  and p.votes_a + p.votes_b + p.votes_tie + p.votes_both_bad + p.skips = 0
                for update of p skip locked""")
                .params(projectId, checkpoints.toArray(String[]::new)).query(UUID.class).list().toArray(UUID[]::new);
        if (locked.length == 0) {
            return 0;
        }
        // a new statement, so that (in READ COMMITTED) it sees every lease committed before the rows were locked
        return jdbc.sql("""
                update pairs p set status = 'retired', retired_at = clock_timestamp()
                where p.id = any(?) and p.status = 'open'
                  and p.votes_a + p.votes_b + p.votes_tie + p.votes_both_bad + p.skips = 0
                  and not exists (select 1 from tasks t where t.pair_id = p.id and t.state = 'leased'
                                  and t.expires_at > now())""")
                .param(locked).update();
    }

    /** The project's pairs in creation order, of one status and purpose or all, after the pair {@code after}. */
    List<PairListing> list(UUID projectId, String status, Purpose purpose, UUID after, int limit) {
        Project project = projects.require(projectId);
        record Cursor(Timestamp createdAt, UUID id) {}
        Cursor cursor = new Cursor(Timestamp.from(Instant.EPOCH), new UUID(0, 0));
        if (after != null) {
            cursor = jdbc.sql("select created_at, id from pairs where id = ? and project_id = ?")
                    .params(after, projectId).query(Cursor.class).optional()
                    .orElseThrow(() -> ApiException.invalid("after", "is not a cursor returned by this list"));
        }
        boolean images = project.getModality() == Modality.IMAGE;
        return jdbc.sql("""
                select p.id, p.status, p.purpose, p.p_a, p.scored_by, p.served_by, p.created_at, ca.prompt,
                       ca.id a_id, ca.text a_text, ca.image_sha256 a_image, ca.checkpoint a_checkpoint,
                       cb.id b_id, cb.text b_text, cb.image_sha256 b_image, cb.checkpoint b_checkpoint
                from pairs p
                join candidates ca on ca.id = p.candidate_a join candidates cb on cb.id = p.candidate_b
                where p.project_id = :project and (cast(:status as text) is null or p.status = :status)
                  and (cast(:purpose as text) is null or p.purpose = :purpose)
                  and (p.created_at, p.id) > (:afterTime, :afterId)
                order by p.created_at, p.id limit :limit""")
                .param("project", projectId).param("status", status)
                .param("purpose", purpose == null ? null : purpose.json())
                .param("afterTime", cursor.createdAt()).param("afterId", cursor.id()).param("limit", limit)
                .query((rs, n) -> {
                    double pA = rs.getDouble("p_a");
                    Double pAOrNull = rs.wasNull() ? null : pA;
                    return new PairListing(rs.getObject("id", UUID.class), rs.getString("status"),
                            rs.getString("purpose"), pAOrNull,
                            rs.getString("scored_by"), rs.getString("served_by"), rs.getString("prompt"),
                            side(rs, "a", images), side(rs, "b", images), rs.getTimestamp("created_at").toInstant());
                }).list();
    }

    private PairListing.Side side(ResultSet rs, String side, boolean images) throws java.sql.SQLException {
        String sha = rs.getString(side + "_image");
        return new PairListing.Side(rs.getObject(side + "_id", UUID.class), images ? null : rs.getString(side + "_text"),
                sha == null ? null : properties.imageUrl(sha), rs.getString(side + "_checkpoint"));
    }

    /**
     * One query (two for a project without pairs): what a campaign polls to keep a number of pairs
     * open. Rows and {@code open} count training pairs only, so evaluation pairs do not eat into the
     * depth a campaign keeps; {@code evaluation_open} counts the open evaluation pairs.
     */
    PairSummary summary(UUID projectId) {
        record Row(String checkpoint, long training, long open, long resolved, long retired, Timestamp firstCreatedAt,
                long evaluationOpen) {}
        List<Row> rows = jdbc.sql("""
                select ca.checkpoint, count(*) filter (where p.purpose = 'training') training,
                       count(*) filter (where p.purpose = 'training' and p.status = 'open') open,
                       count(*) filter (where p.purpose = 'training' and p.status = 'resolved') resolved,
                       count(*) filter (where p.purpose = 'training' and p.status = 'retired') retired,
                       min(p.created_at) filter (where p.purpose = 'training') first_created_at,
                       count(*) filter (where p.purpose = 'evaluation' and p.status = 'open') evaluation_open
                from pairs p join candidates ca on ca.id = p.candidate_a
                where p.project_id = ?
                group by ca.checkpoint
                order by min(p.created_at) filter (where p.purpose = 'training') nulls last, ca.checkpoint""")
                .param(projectId).query(Row.class).list();
        if (rows.isEmpty()) {
            projects.require(projectId); // 404 for a project that does not exist
        }
        List<PairSummary.ByCheckpoint> training = rows.stream().filter(r -> r.training() > 0)
                .map(r -> new PairSummary.ByCheckpoint(r.checkpoint(), r.open(), r.resolved(), r.retired(),
                        r.firstCreatedAt().toInstant()))
                .toList();
        return new PairSummary(training.stream().mapToLong(PairSummary.ByCheckpoint::open).sum(),
                rows.stream().mapToLong(Row::evaluationOpen).sum(), training);
    }

    /** @return the new pair, or null when the two candidates are already paired */
    private PairView insert(Project project, UUID a, UUID b, Double pA, String scoredBy, Purpose purpose) {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return jdbc.sql("""
                insert into pairs (id, project_id, candidate_a, candidate_b, judgments_needed, p_a, scored_by, purpose,
                                   created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning *""")
                .params(id, project.getId(), a, b, project.getJudgmentsPerPair(), pA, scoredBy, purpose.json(),
                        Timestamp.from(now))
                .query(MAPPER).optional().orElse(null);
    }
}
