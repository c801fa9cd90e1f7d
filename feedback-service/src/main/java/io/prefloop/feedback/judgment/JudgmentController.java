package io.prefloop.feedback.judgment;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.Page;
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

    private final Judgments judgments;

    JudgmentController(Judgments judgments) {
        this.judgments = judgments;
    }

    /** 201 with the judgment; a retry with the same Idempotency-Key gets the same answer. */
    @PostMapping("/v1/pairs/{pairId}/judgments")
    @Allow(Role.LABELER)
    ResponseEntity<JudgmentView> judge(@PathVariable UUID pairId, @Valid @RequestBody NewJudgment request,
            Caller caller, @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        Judgments.Result result = judgments.submit(pairId, caller, request, idempotencyKey);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.CREATED);
        if (result.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(result.judgment());
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
