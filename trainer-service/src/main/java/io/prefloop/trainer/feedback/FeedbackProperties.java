package io.prefloop.trainer.feedback;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the trainer reads comparisons. It calls with the service key ({@code prefloop.auth.service-key}).
 *
 * @param url the feedback-service's base URL
 */
@ConfigurationProperties("prefloop.trainer.feedback")
public record FeedbackProperties(
        @DefaultValue("http://localhost:8081") String url,
        @DefaultValue("30s") Duration timeout) {}
