package io.prefloop.trainer.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.prefloop.trainer.job.settings.MethodSettings;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A training job as clients see it, OpenAI-shaped.
 *
 * @param feedAfter with {@code feedTo}, the comparisons feed range (after, to] the job trains on;
 *     null for the whole feed
 * @param result the checkpoint the job published (OpenAI's {@code fine_tuned_model}); null until it has
 * @param promotion what the promotion gate of the job's policy decided; null when none decided anything
 */
public record JobView(UUID id, String object, Method method, String model, UUID project,
        Map<String, Object> hyperparameters, long seed, String suffix, String status, boolean cancelRequested,
        String error, Progress progress, String createdBy, Instant createdAt, Instant startedAt,
        Instant finishedAt, UUID policyId, Long feedAfter, Long feedTo, Result result, Promotion promotion) {

    public record Progress(int stepsDone, int stepsTotal) {}

    public record Result(String model, String version) {}

    /**
     * @param value the checkpoint's {@code metric}, null when it did not record it
     * @param qualityRegression the checkpoint's {@code quality_regression}, null when it did not record it
     * @param reason the decision in words, as the job's event and the registry's promotion record give it
     * @param pending a human gate that waits for labelers' votes on the checkpoint (not decided yet)
     */
    public record Promotion(boolean promoted, boolean pending, String metric, Double value, double min,
            Double qualityRegression, double maxRegression, String reason) {}

    /** The job's typed hyperparameters. */
    @JsonIgnore
    public MethodSettings settings() {
        return method.settings(hyperparameters);
    }

    /** The job's typed hyperparameters, of the type its method has. */
    public <S extends MethodSettings> S settings(Class<S> type) {
        return type.cast(settings());
    }
}
