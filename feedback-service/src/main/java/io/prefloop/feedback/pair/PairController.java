package io.prefloop.feedback.pair;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.feedback.idempotency.Idempotency;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
class PairController {

    record NewPair(@NotNull UUID candidateA, @NotNull UUID candidateB) {}

    /**
     * Pairs from candidates of the same prompt: {@code disjoint} pairs them off in the order they
     * were created (1–2, 3–4, …), {@code all} makes every combination. Only candidates not yet in
     * any pair are used, and pairs that exist are skipped, so the call can be repeated safely.
     *
     * @param prompts only these prompts; all of the project's when absent
     */
    record BulkPairs(@Size(max = 10_000) List<@NotNull String> prompts, Pairing pairing,
            @Min(1) @Max(10_000) Integer maxPairs) {}

    record BulkResult(int created, List<PairView> pairs) {}

    private final Pairs pairs;
    private final Idempotency idempotency;

    PairController(Pairs pairs, Idempotency idempotency) {
        this.pairs = pairs;
        this.idempotency = idempotency;
    }

    @PostMapping("/v1/projects/{projectId}/pairs")
    @Allow({Role.ADMIN, Role.SERVICE})
    @Transactional
    ResponseEntity<?> create(@PathVariable UUID projectId, @Valid @RequestBody NewPair request, Caller caller,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        return idempotency.once(caller, idempotencyKey, Map.of("project", projectId, "pair", request),
                () -> pairs.create(projectId, request.candidateA(), request.candidateB()));
    }

    @PostMapping("/v1/projects/{projectId}/pairs/bulk")
    @Allow({Role.ADMIN, Role.SERVICE})
    @Transactional
    ResponseEntity<?> bulk(@PathVariable UUID projectId, @Valid @RequestBody BulkPairs request, Caller caller,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        return idempotency.once(caller, idempotencyKey, Map.of("project", projectId, "bulk", request), () -> {
            List<PairView> created = pairs.createFromPrompts(projectId, request.prompts(),
                    request.pairing() == null ? Pairing.DISJOINT : request.pairing(),
                    request.maxPairs() == null ? 10_000 : request.maxPairs());
            return new BulkResult(created.size(), created);
        });
    }

    @GetMapping("/v1/pairs/{id}")
    @Allow({Role.ADMIN, Role.SERVICE})
    PairView get(@PathVariable UUID id) {
        return pairs.require(id);
    }
}
