package io.prefloop.feedback.judgment;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The database side of a vote: the pair read under its row lock, and the vote written in one statement. */
@Component
class PairVotes {

    /**
     * The pair as this labeler finds it, read under the pair's row lock in one statement: the
     * project's tie rule, the labeler's lease (task) and earlier judgment of it, if any, and the
     * labeler's judgment (of any pair) made with this request's Idempotency-Key, if any.
     */
    record LockedPair(UUID id, UUID projectId, int judgmentsNeeded, int votesA, int votesB, int votesTie,
            int votesBothBad, String status, boolean allowTies, UUID taskId, UUID taskLabelerId, String leftChoice,
            String taskState, Instant taskExpiresAt, UUID judgmentId, String judgmentKey, UUID keyJudgmentId) {

        Tally votes() {
            return new Tally(votesA, votesB, votesTie, votesBothBad);
        }
    }

    private final JdbcClient jdbc;

    PairVotes(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Locks the pair until the transaction ends; empty when there is no such pair. */
    Optional<LockedPair> lock(UUID pairId, UUID labeler, UUID taskId, String idempotencyKey) {
        return jdbc.sql("""
                select p.id, p.project_id, p.judgments_needed, p.votes_a, p.votes_b, p.votes_tie, p.votes_both_bad,
                       p.status, pr.allow_ties, t.id task_id, t.labeler_id task_labeler_id, t.left_choice,
                       t.state task_state, t.expires_at task_expires_at, j.id judgment_id, j.idempotency_key judgment_key,
                       k.id key_judgment_id
                from pairs p join projects pr on pr.id = p.project_id
                left join tasks t on t.pair_id = p.id and (t.id = :task or (cast(:task as uuid) is null and t.labeler_id = :labeler))
                left join judgments j on j.pair_id = p.id and j.labeler_id = :labeler
                left join judgments k on k.labeler_id = :labeler and k.idempotency_key = :key
                where p.id = :pair
                for update of p""")
                .param("pair", pairId).param("labeler", labeler).param("task", taskId).param("key", idempotencyKey)
                .query(LockedPair.class).optional();
    }

    /**
     * Records the labeler's judgment, ends the lease it was made under and sets the pair's counts
     * to {@code votes} (and its outcome, when {@code resolution} is not null).
     */
    JudgmentView record(LockedPair pair, UUID labeler, JudgmentController.NewJudgment request, String idempotencyKey,
            Tally votes, Resolution resolution) {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        // one round trip: the judgment, the lease it ends, and the pair's new counts (and outcome)
        jdbc.sql("""
                with judgment as (
                    insert into judgments (id, pair_id, project_id, labeler_id, task_id, choice, left_choice, elapsed_ms,
                                           idempotency_key, created_at)
                    values (:id, :pair, :project, :labeler, :task, :choice, :left, :elapsed, :key, :now)),
                task as (update tasks set state = 'judged' where id = :task)
                update pairs set votes_a = :a, votes_b = :b, votes_tie = :tie, votes_both_bad = :bothBad,
                       skips = skips + :skip, status = :status, outcome = :outcome, agreement = :agreement,
                       resolved_at = case when :resolved then clock_timestamp() end
                where id = :pair""")
                .param("id", id).param("pair", pair.id()).param("project", pair.projectId()).param("labeler", labeler)
                .param("task", pair.taskId()).param("choice", request.choice().json())
                .param("left", pair.leftChoice()).param("elapsed", request.elapsedMs()).param("key", idempotencyKey)
                .param("now", Timestamp.from(now)).param("a", votes.a()).param("b", votes.b())
                .param("tie", votes.tie()).param("bothBad", votes.bothBad())
                .param("skip", request.choice() == Choice.SKIP ? 1 : 0)
                .param("status", resolution == null ? "open" : "resolved")
                .param("outcome", resolution == null ? null : resolution.outcome())
                .param("agreement", resolution == null ? null : resolution.agreement())
                .param("resolved", resolution != null)
                .update();
        return new JudgmentView(id, pair.id(), pair.projectId(), labeler, pair.taskId(), request.choice(),
                pair.leftChoice(), request.elapsedMs(), now, resolution == null ? "open" : "resolved",
                resolution == null ? null : resolution.outcome());
    }
}
