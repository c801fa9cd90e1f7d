package io.prefloop.trainer.policy;

import io.prefloop.trainer.job.Method;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * @param everyN how many new resolved comparisons start a job
 * @param gate the promotion gate: the published checkpoint's metric must reach {@code min}, and its
 *     {@code quality_regression} against its parent must not exceed {@code maxRegression}
 * @param trainedThrough the last feed position a successful job of this policy trained on
 * @param seed when set, each job's training seed is derived from it and the job's feed range
 *     ({@link Policies#jobSeed}); null: a random seed per job
 */
public record PolicyView(UUID id, UUID project, String model, Method method, Map<String, Object> hyperparameters,
        int everyN, Gate gate, long trainedThrough, boolean active, Long seed, Instant createdAt) {}
