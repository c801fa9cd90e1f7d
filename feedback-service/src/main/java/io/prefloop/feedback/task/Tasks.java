package io.prefloop.feedback.task;

import io.prefloop.common.auth.Caller;
import io.prefloop.common.web.ApiException;
import io.prefloop.feedback.FeedbackProperties;
import io.prefloop.feedback.project.Projects;
import io.prefloop.feedback.project.Selection;
import io.prefloop.feedback.project.SelectionMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Hands labelers pairs to judge. A pair has {@code judgments_needed} slots; a slot is taken by a
 * non-skip judgment or by an unexpired lease. A pair is claimed under its row lock
 * ({@code FOR UPDATE SKIP LOCKED}), and its free slots are counted again after the lock is held,
 * in a new statement that sees every committed lease, so no two labelers take the last slot.
 */
@Service
public class Tasks {

    /**
     * Pairs tried before answering that none is free. A try fails when another labeler leased the
     * pair between this query and its lock; with 32 labelers on one project, 8 tries ran out in 49 of
     * about 7,000 requests, which told a labeler "nothing left" while pairs were (a labeler that
     * believes it stops). Each failed try excludes its pair, so the loop also ends when none is left.
     */
    private static final int CLAIM_ATTEMPTS = 64;

    /** A pair {@code p}'s slots not taken by votes or by other labelers' ({@code :labeler} excluded) live leases. */
    private static final String FREE_SLOTS = """
            (p.judgments_needed - (p.votes_a + p.votes_b + p.votes_tie + p.votes_both_bad)
             - (select count(*) from tasks t where t.pair_id = p.id and t.state = 'leased'
                and t.expires_at > now() and t.labeler_id <> :labeler))""";

    private final JdbcClient jdbc;
    private final Projects projects;
    private final FeedbackProperties properties;

    Tasks(JdbcClient jdbc, Projects projects, FeedbackProperties properties) {
        this.jdbc = jdbc;
        this.projects = projects;
        this.properties = properties;
    }

    @Transactional
    public Optional<TaskView> next(UUID projectId, Caller caller) {
        UUID labeler = labelerId(caller);
        List<UUID> held = heldPairs(projectId, labeler);
        if (held.size() >= properties.maxLeasesPerLabeler()) {
            return Optional.of(view(held.get(0), labeler));
        }
        return claim(projectId, labeler, held);
    }

    /**
     * What comes after a judgment: the labeler's oldest live lease in the project, else a newly
     * claimed task as {@link #next} claims it. A retry of the judgment gets the same task back and
     * holds no extra lease.
     */
    @Transactional
    public Optional<TaskView> afterJudgment(UUID projectId, Caller caller) {
        UUID labeler = labelerId(caller);
        List<UUID> held = heldPairs(projectId, labeler);
        return held.isEmpty() ? claim(projectId, labeler, held) : Optional.of(view(held.get(0), labeler));
    }

    private List<UUID> heldPairs(UUID projectId, UUID labeler) {
        return jdbc.sql("""
                select pair_id from tasks where labeler_id = ? and project_id = ? and state = 'leased'
                and expires_at > now() order by leased_at, id""")
                .params(labeler, projectId).query(UUID.class).list();
    }

    /**
     * The order in which a rule takes the eligible pairs. Unscored pairs sort after scored ones
     * ({@code nulls last}); the expression matches the index {@code pairs_open_uncertain}.
     * Evaluation pairs go oldest first, like {@code fifo}.
     */
    private static String order(String rule) {
        return switch (rule) {
            case "uncertainty" -> "abs(p.p_a - 0.5) nulls last, p.created_at, p.id";
            case "random" -> "random()";
            default -> "p.created_at, p.id";
        };
    }

    /** The rule for one claim: under {@code uncertainty}, a random pair with probability {@code random_share}. */
    private static String rule(Selection selection) {
        if (selection.mode() == SelectionMode.FIFO) {
            return "fifo";
        }
        return ThreadLocalRandom.current().nextDouble() < selection.randomShare() ? "random" : "uncertainty";
    }

    /**
     * Leases the open pair this labeler may judge, other than {@code held}: the oldest evaluation
     * pair if there is one (they are few, and a promotion decision may wait on them), else the
     * training pair that the project's selection rule puts first; empty when none is left.
     */
    private Optional<TaskView> claim(UUID projectId, UUID labeler, List<UUID> held) {
        Selection selection = projects.require(projectId).getSelection();
        Optional<TaskView> evaluation = claim(projectId, labeler, held, "evaluation", "evaluation");
        return evaluation.isPresent() ? evaluation : claim(projectId, labeler, held, "training", rule(selection));
    }

    /** Leases the first pair of {@code purpose} in the order of {@code rule} that is still free once locked. */
    private Optional<TaskView> claim(UUID projectId, UUID labeler, List<UUID> held, String purpose, String rule) {
        List<UUID> excluded = new ArrayList<>(held);
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            Optional<UUID> locked = jdbc.sql("""
                    select p.id from pairs p
                    where p.project_id = :project and p.status = 'open' and p.purpose = :purpose
                      and p.id <> all(:excluded)
                      and not exists (select 1 from judgments j where j.pair_id = p.id and j.labeler_id = :labeler)
                      and """ + FREE_SLOTS + """
                     > 0
                    order by %s
                    limit 1
                    for update of p skip locked""".formatted(order(rule)))
                    .param("project", projectId).param("purpose", purpose)
                    .param("excluded", excluded.toArray(UUID[]::new))
                    .param("labeler", labeler)
                    .query(UUID.class).optional();
            if (locked.isEmpty()) {
                return Optional.empty();
            }
            String left = ThreadLocalRandom.current().nextBoolean() ? "a" : "b";
            Optional<TaskView> leased = leaseIfFree(locked.get(), projectId, labeler, left, rule);
            if (leased.isPresent()) {
                return leased;
            }
            excluded.add(locked.get());
        }
        return Optional.empty();
    }

    /** The labeler's live leases in a project, oldest first: what a reopened page should show first. */
    @Transactional(readOnly = true)
    public List<TaskView> held(UUID projectId, Caller caller) {
        UUID labeler = labelerId(caller);
        projects.require(projectId);
        return jdbc.sql(VIEW_FROM + " tasks t " + VIEW_JOIN + "\n" + """
                 where t.labeler_id = ? and t.project_id = ? and t.state = 'leased' and t.expires_at > now()
                   and p.status = 'open'
                 order by t.leased_at, t.id""")
                .params(labeler, projectId).query(this::mapView).list();
    }

    @Transactional(readOnly = true)
    public ProgressView progress(UUID projectId, Caller caller, Instant since) {
        UUID labeler = labelerId(caller);
        projects.require(projectId);
        return jdbc.sql("""
                select :project project_id, cast(:since as timestamptz) since,
                  (select count(*) from judgments where project_id = :project and labeler_id = :labeler
                     and choice <> 'skip' and created_at >= :since) judged_since,
                  (select count(*) from judgments where project_id = :project and labeler_id = :labeler
                     and choice = 'skip' and created_at >= :since) skipped_since,
                  (select count(*) from judgments where project_id = :project and labeler_id = :labeler
                     and choice <> 'skip') judged_total,
                  (select count(*) from pairs p where p.project_id = :project and p.status = 'open'
                     and not exists (select 1 from judgments j where j.pair_id = p.id and j.labeler_id = :labeler)
                     and """ + FREE_SLOTS + """
                     > 0) left_for_you,
                  (select coalesce(sum(judgments_needed - (votes_a + votes_b + votes_tie + votes_both_bad)), 0)
                     from pairs where project_id = :project and status = 'open') judgments_left,
                  (select count(*) from pairs where project_id = :project and status = 'open') pairs_open""")
                .param("project", projectId).param("labeler", labeler).param("since", Timestamp.from(since))
                .query(ProgressView.class).single();
    }

    /** Slots of a locked pair not taken by votes or by other labelers' live leases. */
    public int freeSlots(UUID pair, UUID labeler) {
        return jdbc.sql("select " + FREE_SLOTS + " from pairs p where p.id = :pair and p.status = 'open'")
                .param("labeler", labeler).param("pair", pair).query(Integer.class).optional().orElse(0);
    }

    /**
     * Leases a pair, whose row the caller has locked, to the labeler again after an undo, with
     * the sides shown as before; empty if its free slot went to someone else meanwhile.
     */
    public Optional<TaskView> leaseAgain(UUID pair, UUID projectId, UUID labeler, String leftChoice) {
        String left = leftChoice != null ? leftChoice : ThreadLocalRandom.current().nextBoolean() ? "a" : "b";
        Optional<TaskView> leased = leaseIfFree(pair, projectId, labeler, left, null);
        if (leased.isEmpty()) {
            jdbc.sql("delete from tasks where pair_id = ? and labeler_id = ?").params(pair, labeler).update();
        }
        return leased;
    }

    /**
     * Leases a locked pair if it still has a free slot. The slots are counted by this new
     * statement, which (in READ COMMITTED) sees every lease committed since the pair was picked.
     *
     * @param rule the selection rule that picked the pair, recorded as its {@code served_by} if it
     *     is the pair's first lease; null for a lease given again after an undo
     */
    private Optional<TaskView> leaseIfFree(UUID pair, UUID projectId, UUID labeler, String left, String rule) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return jdbc.sql("""
                with lease as (
                    insert into tasks (id, pair_id, project_id, labeler_id, left_choice, state, leased_at, expires_at)
                    select :id, :pair, :project, :labeler, :left, 'leased', :now, :expires
                    where (select """ + FREE_SLOTS + """
                            from pairs p where p.id = :pair and p.status = 'open') > 0
                    on conflict (pair_id, labeler_id) do update
                       set id = excluded.id, left_choice = excluded.left_choice, state = 'leased',
                           leased_at = excluded.leased_at, expires_at = excluded.expires_at
                    returning *),
                served as (
                    update pairs set served_by = :rule
                    where id = :pair and served_by is null and cast(:rule as text) is not null
                      and exists (select 1 from lease))
                """ + VIEW_FROM + " lease t " + VIEW_JOIN)
                .param("id", UUID.randomUUID()).param("pair", pair).param("project", projectId)
                .param("labeler", labeler).param("left", left).param("rule", rule).param("now", Timestamp.from(now))
                .param("expires", Timestamp.from(now.plus(properties.leaseDuration())))
                .query(this::mapView).optional();
    }

    private static final String VIEW_FROM = """
            select t.id task_id, t.left_choice, t.leased_at, t.expires_at, p.id pair_id, p.project_id,
                   ca.prompt, ca.id a_id, ca.text a_text, ca.image_sha256 a_image,
                   cb.id b_id, cb.text b_text, cb.image_sha256 b_image
            from """;

    private static final String VIEW_JOIN = """
             join pairs p on p.id = t.pair_id
            join candidates ca on ca.id = p.candidate_a join candidates cb on cb.id = p.candidate_b""";

    private TaskView view(UUID pair, UUID labeler) {
        return jdbc.sql(VIEW_FROM + " tasks t " + VIEW_JOIN + " where t.pair_id = ? and t.labeler_id = ?")
                .params(pair, labeler).query(this::mapView).single();
    }

    private TaskView mapView(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        TaskView.Side a = side("a", rs.getObject("a_id", UUID.class), rs.getString("a_text"), rs.getString("a_image"));
        TaskView.Side b = side("b", rs.getObject("b_id", UUID.class), rs.getString("b_text"), rs.getString("b_image"));
        boolean aLeft = rs.getString("left_choice").equals("a");
        return new TaskView(rs.getObject("task_id", UUID.class), rs.getObject("pair_id", UUID.class),
                rs.getObject("project_id", UUID.class), rs.getString("prompt"), aLeft ? a : b, aLeft ? b : a,
                rs.getTimestamp("leased_at").toInstant(), rs.getTimestamp("expires_at").toInstant());
    }

    private TaskView.Side side(String choice, UUID id, String text, String sha) {
        return new TaskView.Side(choice, id, text, sha == null ? null : properties.imageUrl(sha));
    }

    public static UUID labelerId(Caller caller) {
        try {
            return UUID.fromString(caller.id());
        } catch (IllegalArgumentException e) {
            throw ApiException.forbidden("Only labelers with their own key take tasks");
        }
    }
}
