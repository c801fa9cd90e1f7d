package io.prefloop.feedback.judgment;

import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.ApiException;
import io.prefloop.common.web.Page;
import io.prefloop.feedback.pair.PairView;
import io.prefloop.feedback.pair.Pairs;
import io.prefloop.feedback.project.Project;
import io.prefloop.feedback.project.Projects;
import io.prefloop.feedback.task.Tasks;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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

    private record Task(UUID id, UUID pairId, UUID labelerId, String leftChoice, String state, Instant expiresAt) {}

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

    Judgments(JdbcClient jdbc, Projects projects, Tasks tasks) {
        this.jdbc = jdbc;
        this.projects = projects;
        this.tasks = tasks;
    }

    @Transactional
    public Result submit(UUID pairId, Caller caller, JudgmentController.NewJudgment request, String idempotencyKey) {
        UUID labeler = Tasks.labelerId(caller);
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
            throw ApiException.invalid("Idempotency-Key", "must be 1 to 200 characters");
        }
        Optional<JudgmentView> earlier = idempotencyKey == null ? Optional.empty() : byKey(labeler, idempotencyKey);
        if (earlier.isPresent()) {
            return replay(earlier.get(), pairId, request);
        }
        PairView pair = jdbc.sql("select * from pairs where id = ? for update").param(pairId).query(Pairs.MAPPER)
                .optional().orElseThrow(() -> ApiException.notFound("Pair", pairId));
        Project project = projects.require(pair.projectId());
        if (request.choice() == Choice.TIE && !project.isAllowTies()) {
            throw ApiException.invalid("choice", "ties are not allowed in this project");
        }
        Optional<JudgmentView> existing = jdbc.sql(SELECT + " where j.pair_id = ? and j.labeler_id = ?")
                .params(pairId, labeler).query(MAPPER).optional();
        if (existing.isPresent()) {
            if (idempotencyKey != null && idempotencyKey.equals(keyOf(existing.get().id()))) {
                return replay(existing.get(), pairId, request);
            }
            throw new ApiException(HttpStatus.CONFLICT, "Already judged", "You judged this pair already (as '"
                    + existing.get().choice().json() + "'); a labeler judges a pair once");
        }
        if (pair.status().equals("resolved")) {
            throw ApiException.conflict("The pair is already resolved; it needs no more judgments");
        }
        Task task = checkTask(pairId, labeler, request.taskId());
        boolean leaseHeld = task != null && task.state().equals("leased") && task.expiresAt().isAfter(Instant.now());
        if (!leaseHeld && request.choice() != Choice.SKIP && tasks.freeSlots(pairId, labeler) <= 0) {
            throw new ApiException(HttpStatus.CONFLICT, "Lease expired",
                    "Your lease on this pair expired and its remaining judgments went to other labelers");
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into judgments (id, pair_id, project_id, labeler_id, task_id, choice, left_choice, elapsed_ms,
                                       idempotency_key, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(id, pairId, pair.projectId(), labeler, task == null ? null : task.id(),
                        request.choice().json(), task == null ? null : task.leftChoice(), request.elapsedMs(),
                        idempotencyKey, Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS)))
                .update();
        if (task != null) {
            jdbc.sql("update tasks set state = 'judged' where id = ?").param(task.id()).update();
        }
        String column = request.choice().column();
        PairView counted = jdbc.sql("update pairs set " + column + " = " + column + " + 1 where id = ? returning *")
                .param(pairId).query(Pairs.MAPPER).single();
        PairView.Votes v = counted.votes();
        if (v.a() + v.b() + v.tie() + v.bothBad() >= counted.judgmentsNeeded()) {
            Resolution resolution = Resolution.of(v.a(), v.b(), v.tie(), v.bothBad());
            jdbc.sql("""
                    update pairs set status = 'resolved', outcome = ?, agreement = ?, resolved_at = clock_timestamp()
                    where id = ?""")
                    .params(resolution.outcome(), resolution.agreement(), pairId).update();
        }
        return new Result(byId(id), false);
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

    private Task checkTask(UUID pairId, UUID labeler, UUID taskId) {
        if (taskId != null) {
            Task named = jdbc.sql("select * from tasks where id = ?").param(taskId).query(Task.class).optional()
                    .orElseThrow(() -> ApiException.invalid("task_id", "task " + taskId + " does not exist"));
            if (!named.labelerId().equals(labeler)) {
                throw ApiException.forbidden("Task " + taskId + " belongs to another labeler");
            }
            if (!named.pairId().equals(pairId)) {
                throw ApiException.invalid("task_id", "task " + taskId + " is for another pair");
            }
            return named;
        }
        return jdbc.sql("select * from tasks where pair_id = ? and labeler_id = ?").params(pairId, labeler)
                .query(Task.class).optional().orElse(null);
    }

    private Result replay(JudgmentView earlier, UUID pairId, JudgmentController.NewJudgment request) {
        boolean same = earlier.pairId().equals(pairId) && earlier.choice() == request.choice();
        if (!same) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key reused",
                    "This Idempotency-Key was already used for a different judgment");
        }
        return new Result(earlier, true);
    }

    private Optional<JudgmentView> byKey(UUID labeler, String key) {
        return jdbc.sql(SELECT + " where j.labeler_id = ? and j.idempotency_key = ?").params(labeler, key)
                .query(MAPPER).optional();
    }

    private String keyOf(UUID judgment) {
        return jdbc.sql("select idempotency_key from judgments where id = ?").param(judgment).query(String.class)
                .optional().orElse(null);
    }

    private JudgmentView byId(UUID id) {
        return jdbc.sql(SELECT + " where j.id = ?").param(id).query(MAPPER).single();
    }
}
