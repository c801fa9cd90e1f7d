package io.prefloop.feedback.pair;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.ApiException;
import io.prefloop.common.web.Page;
import io.prefloop.feedback.idempotency.Idempotency;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class PairController {

    /**
     * @param pA a scoring model's P(a ≻ b), optional; {@code scoredBy} names the model's checkpoint
     * @param purpose {@code training} when absent; a string, not {@link Purpose}, since Jackson would
     *     also take an enum's index (1 for evaluation)
     */
    record NewPair(@NotNull UUID candidateA, @NotNull UUID candidateB,
            @DecimalMin("0") @DecimalMax("1") Double pA, @Size(max = 200) String scoredBy,
            @Pattern(regexp = "training|evaluation", message = "must be training or evaluation") String purpose) {}

    record Score(@NotNull UUID pair, @NotNull @DecimalMin("0") @DecimalMax("1") Double pA) {}

    record Scores(@Size(max = 200) String scoredBy, @NotNull @Size(min = 1, max = 10_000) List<@NotNull @Valid Score> scores) {}

    record Retire(@NotNull @Size(min = 1, max = 100) List<@NotNull @Size(max = 500) String> checkpoints) {}

    record Retired(int retired) {}

    private static final List<String> STATUSES = List.of("open", "resolved", "retired");

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
                () -> pairs.create(projectId, request.candidateA(), request.candidateB(), request.pA(), request.scoredBy(),
                        request.purpose() == null ? Purpose.TRAINING : Purpose.parse(request.purpose())));
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

    /** Scores of open pairs, all or nothing: one pair that is not the project's changes none. */
    @PostMapping("/v1/projects/{projectId}/pairs/scores")
    @Allow({Role.ADMIN, Role.SERVICE})
    @Transactional
    Pairs.ScoreResult score(@PathVariable UUID projectId, @Valid @RequestBody Scores request) {
        return pairs.score(projectId, request.scoredBy(), request.scores());
    }

    /** Retires the untouched open training pairs whose candidate a comes from one of the checkpoints. */
    @PostMapping("/v1/projects/{projectId}/pairs/retire")
    @Allow({Role.ADMIN, Role.SERVICE})
    @Transactional
    Retired retire(@PathVariable UUID projectId, @Valid @RequestBody Retire request) {
        return new Retired(pairs.retire(projectId, request.checkpoints()));
    }

    /**
     * The project's pairs oldest first, with their candidates' texts or image URLs; cursor = a pair's
     * id. Both purposes unless one is asked for.
     */
    @GetMapping("/v1/projects/{projectId}/pairs")
    @Allow({Role.ADMIN, Role.SERVICE})
    @Transactional(readOnly = true)
    Page<PairListing> list(@PathVariable UUID projectId, @RequestParam(required = false) String status,
            @RequestParam(required = false) String purpose, @RequestParam(required = false) String after,
            @RequestParam(defaultValue = "100") int limit) {
        int size = Page.checkLimit(limit);
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.invalid("status", "must be open, resolved or retired");
        }
        Purpose wanted = null;
        if (purpose != null) {
            try {
                wanted = Purpose.parse(purpose);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("purpose", e.getMessage());
            }
        }
        UUID cursor = after == null ? null : Page.uuidCursor(after);
        return Page.of(pairs.list(projectId, status, wanted, cursor, size + 1), size, p -> p.id().toString());
    }

    @GetMapping("/v1/projects/{projectId}/pairs/summary")
    @Allow({Role.ADMIN, Role.SERVICE})
    PairSummary summary(@PathVariable UUID projectId) {
        return pairs.summary(projectId);
    }

    @GetMapping("/v1/pairs/{id}")
    @Allow({Role.ADMIN, Role.SERVICE})
    PairView get(@PathVariable UUID id) {
        return pairs.require(id);
    }
}
