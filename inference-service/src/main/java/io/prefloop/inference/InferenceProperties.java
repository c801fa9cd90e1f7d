package io.prefloop.inference;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the inference-service ({@code prefloop.inference.*}).
 *
 * @param trainerUrl the trainer-service, whose registry says which checkpoint is current
 * @param feedbackUrl the feedback-service, where proposals register candidates and pairs
 * @param poll how often the registry is read
 * @param timeout HTTP timeout towards the other services
 * @param models which models to serve; empty = every model the registry has a current checkpoint for
 * @param device {@code auto} (a GPU when the PyTorch engine sees one), {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param batching dynamic batching of image generation
 */
@ConfigurationProperties("prefloop.inference")
public record InferenceProperties(
        @DefaultValue("http://localhost:8082") String trainerUrl,
        @DefaultValue("http://localhost:8081") String feedbackUrl,
        @DefaultValue("5s") Duration poll,
        @DefaultValue("30s") Duration timeout,
        List<String> models,
        @DefaultValue("auto") String device,
        @DefaultValue Batching batching) {

    /**
     * @param maxBatch most images in one sampler run (1 = no batching across requests)
     * @param maxDelay how long a batch waits for more compatible requests after its first one (only
     *     when the previous batch had more than one request)
     * @param queueCapacity requests waiting at most; beyond it new ones are answered 503 with Retry-After
     * @param workers sampler threads (one per GPU, or one on a small CPU)
     */
    public record Batching(
            @DefaultValue("16") int maxBatch,
            @DefaultValue("50ms") Duration maxDelay,
            @DefaultValue("64") int queueCapacity,
            @DefaultValue("1") int workers) {}

    public InferenceProperties {
        models = models == null ? List.of() : List.copyOf(models);
    }
}
