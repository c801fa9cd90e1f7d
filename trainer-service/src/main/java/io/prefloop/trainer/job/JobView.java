package io.prefloop.trainer.job;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A training job as clients see it, OpenAI-shaped.
 *
 * @param feedAfter with {@code feedTo}, the comparisons feed range (after, to] the job trains on;
 *     null for the whole feed
 */
public record JobView(UUID id, String object, Method method, String model, UUID project,
        Map<String, Object> hyperparameters, long seed, String suffix, String status, boolean cancelRequested,
        String error, Progress progress, String createdBy, Instant createdAt, Instant startedAt,
        Instant finishedAt, UUID policyId, Long feedAfter, Long feedTo) {

    public record Progress(int stepsDone, int stepsTotal) {}
}
