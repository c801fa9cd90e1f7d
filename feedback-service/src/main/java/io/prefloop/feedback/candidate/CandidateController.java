package io.prefloop.feedback.candidate;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.Page;
import io.prefloop.feedback.idempotency.Idempotency;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
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

@RestController
class CandidateController {

    /** Exactly one of {@code text} and {@code image_base64}, matching the project's modality. */
    record NewCandidate(
            @NotBlank String prompt,
            String text,
            String imageBase64,
            @Size(max = 200) String model,
            @Size(max = 500) String checkpoint,
            Long seed,
            Map<String, Object> params) {}

    private final Candidates candidates;
    private final Idempotency idempotency;

    CandidateController(Candidates candidates, Idempotency idempotency) {
        this.candidates = candidates;
        this.idempotency = idempotency;
    }

    @PostMapping("/v1/projects/{projectId}/candidates")
    @Allow({Role.ADMIN, Role.SERVICE})
    @Transactional
    ResponseEntity<?> create(@PathVariable UUID projectId, @Valid @RequestBody NewCandidate request, Caller caller,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        return idempotency.once(caller, idempotencyKey, Map.of("project", projectId, "candidate", request),
                () -> candidates.create(projectId, request));
    }

    @GetMapping("/v1/candidates/{id}")
    @Allow({Role.ADMIN, Role.SERVICE, Role.LABELER})
    CandidateView get(@PathVariable UUID id) {
        return candidates.require(id);
    }

    @GetMapping("/v1/projects/{projectId}/candidates")
    @Allow({Role.ADMIN, Role.SERVICE})
    Page<CandidateView> list(@PathVariable UUID projectId, @RequestParam(required = false) String after,
            @RequestParam(defaultValue = "100") int limit) {
        return candidates.list(projectId, after, Page.checkLimit(limit));
    }
}
