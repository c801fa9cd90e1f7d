package io.prefloop.feedback.judgment;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.Page;
import io.prefloop.feedback.task.TaskView;
import io.prefloop.feedback.task.Tasks;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class JudgmentController {

    record NewJudgment(@NotNull Choice choice, @Min(0) @Max(86_400_000) Integer elapsedMs, UUID taskId) {}

    /** The answer to {@code ?next=true}: the judgment, and the labeler's next task (null: none left). */
    record JudgmentAndNextTask(JudgmentView judgment, TaskView nextTask) {}

    private final Judgments judgments;
    private final Tasks tasks;

    JudgmentController(Judgments judgments, Tasks tasks) {
        this.judgments = judgments;
        this.tasks = tasks;
    }

    /**
     * 201 with the judgment; a retry with the same Idempotency-Key gets the same answer. With
     * {@code next=true} the answer also carries the labeler's next task in the pair's project (the
     * oldest pair they hold, else a new one), so that judging takes one request instead of two. The
     * judgment is committed before the next task is taken: if taking it fails, a retry with the same
     * key replays the judgment and takes the task.
     */
    @PostMapping("/v1/pairs/{pairId}/judgments")
    @Allow(Role.LABELER)
    ResponseEntity<Object> judge(@PathVariable UUID pairId, @Valid @RequestBody NewJudgment request,
            Caller caller, @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestParam(defaultValue = "false") boolean next) {
        Judgments.Result result = judgments.submit(pairId, caller, request, idempotencyKey);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.CREATED);
        if (result.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        if (!next) {
            return response.body(result.judgment());
        }
        TaskView nextTask = tasks.afterJudgment(result.judgment().projectId(), caller).orElse(null);
        return response.body(new JudgmentAndNextTask(result.judgment(), nextTask));
    }

    /** Undo: 409 once the pair is resolved, 403 for another labeler's judgment. */
    @DeleteMapping("/v1/judgments/{judgmentId}")
    @Allow(Role.LABELER)
    Judgments.Undone undo(@PathVariable UUID judgmentId, Caller caller) {
        return judgments.undo(judgmentId, caller);
    }

    /** A labeler sees only their own judgments; admins see everyone's (or one labeler's). */
    @GetMapping("/v1/projects/{projectId}/judgments")
    @Allow({Role.ADMIN, Role.LABELER})
    Page<JudgmentView> list(@PathVariable UUID projectId, Caller caller,
            @RequestParam(name = "labeler_id", required = false) UUID labelerId,
            @RequestParam(required = false) String after, @RequestParam(defaultValue = "100") int limit) {
        return judgments.list(projectId, caller, labelerId, after, Page.checkLimit(limit));
    }
}
