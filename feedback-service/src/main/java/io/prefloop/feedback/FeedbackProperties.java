package io.prefloop.feedback;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param publicUrl the base URL clients reach this service at; image URLs in exports start with it
 * @param leaseDuration how long a labeler holds a task before its slot goes to someone else
 * @param maxLeasesPerLabeler tasks one labeler may hold at once (2 lets a page preload the next)
 * @param maxImageSize largest PNG accepted, in bytes
 * @param maxImageSide largest width or height accepted, in pixels
 * @param maxImagePixels largest width × height accepted (decompression bombs are refused before decoding)
 * @param maxPromptLength longest prompt, in characters
 * @param maxTextLength longest text candidate, in characters
 * @param trainerUrl the trainer-service whose checkpoints the dashboard shows; empty (the default) shows none
 */
@ConfigurationProperties("prefloop.feedback")
public record FeedbackProperties(
        @DefaultValue("http://localhost:8081") String publicUrl,
        @DefaultValue("10m") Duration leaseDuration,
        @DefaultValue("2") int maxLeasesPerLabeler,
        @DefaultValue("4MB") DataSize maxImageSize,
        @DefaultValue("2048") int maxImageSide,
        @DefaultValue("4194304") long maxImagePixels,
        @DefaultValue("4000") int maxPromptLength,
        @DefaultValue("100000") int maxTextLength,
        @DefaultValue("") String trainerUrl) {

    public String imageUrl(String sha256) {
        return publicUrl + "/v1/images/" + sha256 + ".png";
    }
}
