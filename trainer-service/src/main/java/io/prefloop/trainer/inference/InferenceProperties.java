package io.prefloop.trainer.inference;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where campaigns ask for proposals. The trainer calls with the service key.
 *
 * @param url the inference-service's base URL
 * @param timeout how long one call may take: a proposal samples every candidate before it answers,
 *     which on a CPU can take minutes for a large batch
 */
@ConfigurationProperties("prefloop.trainer.inference")
public record InferenceProperties(
        @DefaultValue("http://localhost:8083") String url,
        @DefaultValue("10m") Duration timeout) {}
