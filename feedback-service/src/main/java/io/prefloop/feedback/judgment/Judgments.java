package io.prefloop.feedback.judgment;

import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.ApiException;
import io.prefloop.common.web.Page;
import io.prefloop.feedback.project.Projects;
import io.prefloop.feedback.task.TaskView;
import io.prefloop.feedback.task.Tasks;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Records judgments. Everything that decides whether a judgment is accepted happens under the
 * pair's row lock, so concurrent labelers, retries and lease expiry cannot over-judge a pair.
 */
@Service
public class Judgments {

    public record Result(JudgmentView judgment, boolean replayed) {}

    /** @param task the pair leased to the labeler again, to judge anew; null if its slot went to someone else */
    public record Undone(JudgmentView judgment, TaskView task) {}

    private static final RowMapper<JudgmentView> MAPPER = (ResultSet rs, int row) -> {
        int elapsed = rs.getInt("elapsed_ms");
        Integer elapsedOrNull = rs.wasNull() ? null : elapsed;
        return new JudgmentView(rs.getObject("id", UUID.class), rs.getObject("pair_id", UUID.class),
                rs.getObject("project_id", UUID.class), rs.getObject("labeler_id", UUID.class),
                rs.getObject("task_id", UUID.class), Choice.parse(rs.getString("choice")),
                rs.getString("left_choice"), elapsedOrNull, rs.getTimestamp("created_at").toInstant(),
                rs.getString("pair_status"), rs.getString("pair_outcome"));
    };

    private static final String SELECT = """
            select j.*, p.status pair_status, p.outcome pair_outcome
            from judgments j join pairs p on p.id = j.pair_id""";

    private final JdbcClient jdbc;
    private final Projects projects;
    private final Tasks tasks;
    private final PairVotes pairVotes;

    Judgments(JdbcClient jdbc, Projects projects, Tasks tasks, PairVotes pairVotes) {
        this.jdbc = jdbc;
        this.projects = projects;
        this.tasks = tasks;
        this.pairVotes = pairVotes;
    }

    @Transactional
    public Result submit(UUID pairId, Caller caller, JudgmentController.NewJudgment request, String idempotencyKey) {
        UUID labeler = Tasks.labelerId(caller);
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
            throw ApiException.invalid("Idempotency-Key", "must be 1 to 200 characters");
        }
        PairVotes.LockedPair pair = pairVotes.lock(pairId, labeler, request.taskId(), idempotencyKey)
                .orElseThrow(() -> idempotencyKey != null && byKey(labeler, idempotencyKey).isPresent()
                        ? reusedKey() : ApiException.notFound("Pair", pairId));
        if (pair.judgmentId() != null) {
            if (idempotencyKey != null && idempotencyKey.equals(pair.judgmentKey())) {
                return replay(byId(pair.judgmentId()), pairId, request);
            }
            throw new ApiException(HttpStatus.CONFLICT, "Already judged",
                    "You judged this pair already; a labeler judges a pair once");
        }
        if (pair.keyJudgmentId() != null) {
            return replay(byId(pair.keyJudgmentId()), pairId, request);
        }
        admit(pair, labeler, request);
        Tally votes = pair.votes().with(request.choice());
        Resolution resolution = votes.resolution(pair.judgmentsNeeded());
        return new Result(pairVotes.record(pair, labeler, request, idempotencyKey, votes, resolution), false);
    }

    /** Refuses a judgment the pair cannot take: a tie where none is allowed, a resolved or retired pair, a lease lost. */
    private void admit(PairVotes.LockedPair pair, UUID labeler, JudgmentController.NewJudgment request) {
        if (request.choice() == Choice.TIE && !pair.allowTies()) {
            throw ApiException.invalid("choice", "ties are not allowed in this project");
        }
        if (pair.status().equals("resolved")) {
            throw ApiException.conflict("The pair is already resolved; it needs no more judgments");
        }
        if (pair.status().equals("retired")) {
            throw new ApiException(HttpStatus.CONFLICT, "Pair retired",
                    "The pair was retired (a newer checkpoint superseded it); it takes no judgments");
        }
        if (request.taskId() != null) {
            if (pair.taskId() == null) {
                throw ApiException.invalid("task_id", "task " + request.taskId() + " is not a task for this pair");
            }
            if (!pair.taskLabelerId().equals(labeler)) {
                throw ApiException.forbidden("Task " + request.taskId() + " belongs to another labeler");
            }
        }
        boolean leaseHeld = pair.taskId() != null && pair.taskState().equals("leased")
                && pair.taskExpiresAt().isAfter(Instant.now());
        if (!leaseHeld && request.choice() != Choice.SKIP && tasks.freeSlots(pair.id(), labeler) <= 0) {
            throw new ApiException(HttpStatus.CONFLICT, "Lease expired",
                    "Your lease on this pair expired and its remaining judgments went to other labelers");
        }
    }

    /**
     * Takes back a judgment of a pair that is still open: the vote is removed, the pair is leased
     * to the labeler again (same sides) and the row goes, Idempotency-Key included, so a new
     * judgment of the pair counts once. A resolved pair may already be in the comparisons feed,
     * which never changes, so its judgments are final.
     */
    @Transactional
    public Undone undo(UUID judgmentId, Caller caller) {
        UUID labeler = Tasks.labelerId(caller);
        UUID pairId = jdbc.sql("select pair_id from judgments where id = ?").param(judgmentId).query(UUID.class)
                .optional().orElseThrow(() -> ApiException.notFound("Judgment", judgmentId));
        jdbc.sql("select id from pairs where id = ? for update").param(pairId).query(UUID.class).single();
        // read again under the lock: a concurrent undo may have taken it, a concurrent judgment resolved the pair
        JudgmentView judgment = jdbc.sql(SELECT + " where j.id = ?").param(judgmentId).query(MAPPER).optional()
                .orElseThrow(() -> ApiException.notFound("Judgment", judgmentId));
        if (!judgment.labelerId().equals(labeler)) {
            throw ApiException.forbidden("Judgment " + judgmentId + " belongs to another labeler; only they can undo it");
        }
        if (judgment.pairStatus().equals("resolved")) {
            throw new ApiException(HttpStatus.CONFLICT, "Pair resolved",
                    "The pair was resolved and may already be in the comparisons feed; its judgments are final");
        }
        String column = judgment.choice().column();
        jdbc.sql("delete from judgments where id = ?").param(judgmentId).update();
        jdbc.sql("update pairs set " + column + " = " + column + " - 1 where id = ?").param(pairId).update();
        TaskView task = tasks.leaseAgain(pairId, judgment.projectId(), labeler, judgment.leftChoice()).orElse(null);
        return new Undone(judgment, task);
    }

    Page<JudgmentView> list(UUID projectId, Caller caller, UUID labelerFilter, String after, int limit) {
        projects.require(projectId);
        UUID labeler = labelerFilter;
        if (caller.is(Role.LABELER)) {
            UUID self = Tasks.labelerId(caller);
            if (labelerFilter != null && !labelerFilter.equals(self)) {
                throw ApiException.forbidden("A labeler sees only their own judgments");
            }
            labeler = self;
        }
        Instant afterTime = Instant.EPOCH;
        UUID afterId = new UUID(0, 0);
        if (after != null) {
            JudgmentView last = jdbc.sql(SELECT + " where j.id = ? and j.project_id = ?")
                    .params(Page.uuidCursor(after), projectId).query(MAPPER).optional()
                    .orElseThrow(() -> ApiException.invalid("after", "is not a cursor returned by this list"));
            afterTime = last.createdAt();
            afterId = last.id();
        }
        List<JudgmentView> rows = jdbc.sql(SELECT + "\n" + """
                 where j.project_id = :project and (cast(:labeler as uuid) is null or j.labeler_id = :labeler)
                   and (j.created_at, j.id) > (:afterTime, :afterId)
                 order by j.created_at, j.id limit :limit""")
                .param("project", projectId).param("labeler", labeler)
                .param("afterTime", Timestamp.from(afterTime)).param("afterId", afterId).param("limit", limit + 1)
                .query(MAPPER).list();
        return Page.of(rows, limit, j -> j.id().toString());
    }

    private Result replay(JudgmentView earlier, UUID pairId, JudgmentController.NewJudgment request) {
        boolean same = earlier.pairId().equals(pairId) && earlier.choice() == request.choice();
        if (!same) {
            throw reusedKey();
        }
        return new Result(earlier, true);
    }

    private static ApiException reusedKey() {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key reused",
                "This Idempotency-Key was already used for a different judgment");
    }

    private Optional<JudgmentView> byKey(UUID labeler, String key) {
        return jdbc.sql(SELECT + " where j.labeler_id = ? and j.idempotency_key = ?").params(labeler, key)
                .query(MAPPER).optional();
    }

    private JudgmentView byId(UUID id) {
        return jdbc.sql(SELECT + " where j.id = ?").param(id).query(MAPPER).single();
    }
}
