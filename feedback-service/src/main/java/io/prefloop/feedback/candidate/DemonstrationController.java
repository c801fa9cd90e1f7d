package io.prefloop.feedback.candidate;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.Page;
import io.prefloop.feedback.idempotency.Idempotency;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Demonstrations: what the model should have answered to a prompt, written by a labeler (as
 * InstructGPT's labelers wrote them) or uploaded by a team; the data of the trainer's {@code sft}
 * method. Stored as candidates flagged {@code demonstration}.
 */
@RestController
class DemonstrationController {

    /** Exactly one of {@code text} and {@code image_base64}, matching the project's modality. */
    record NewDemonstration(@NotBlank String prompt, String text, String imageBase64) {}

    private final Candidates candidates;
    private final Idempotency idempotency;

    DemonstrationController(Candidates candidates, Idempotency idempotency) {
        this.candidates = candidates;
        this.idempotency = idempotency;
    }

    @PostMapping("/v1/projects/{projectId}/demonstrations")
    @Allow({Role.ADMIN, Role.SERVICE, Role.LABELER})
    @Transactional
    ResponseEntity<?> create(@PathVariable UUID projectId, @Valid @RequestBody NewDemonstration request, Caller caller,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        CandidateController.NewCandidate candidate = new CandidateController.NewCandidate(request.prompt(),
                request.text(), request.imageBase64(), null, null, null, null);
        return idempotency.once(caller, idempotencyKey, Map.of("project", projectId, "demonstration", request),
                () -> candidates.create(projectId, candidate, true, caller.id()));
    }

    @GetMapping("/v1/projects/{projectId}/demonstrations")
    @Allow({Role.ADMIN, Role.SERVICE})
    Page<CandidateView> list(@PathVariable UUID projectId, @RequestParam(required = false) String after,
            @RequestParam(defaultValue = "100") int limit) {
        return candidates.list(projectId, after, Page.checkLimit(limit), true);
    }
}
