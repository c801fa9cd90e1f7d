package io.prefloop.trainer.feedback;

import io.prefloop.common.auth.AuthProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the comparisons feed of a feedback project over HTTP, page by page, from a position on. */
@Component
public class FeedbackClient {

    /** @param lastPosition the position of the last comparison returned (the cursor to pass next) */
    public record Page(List<Comparison> comparisons, long lastPosition, boolean hasMore) {}

    private final FeedbackProperties properties;
    private final String serviceKey;
    private final JsonMapper json;
    private final HttpClient http;

    FeedbackClient(FeedbackProperties properties, AuthProperties auth, JsonMapper json) {
        this.properties = properties;
        this.serviceKey = auth.serviceKey();
        // the feed may grow fields; the trainer reads what it knows
        this.json = json.rebuild().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(properties.timeout())
                .build();
    }

    /** Comparisons after {@code position}, at most {@code limit} (1–1000). */
    public Page comparisons(UUID project, long position, int limit) {
        URI uri = URI.create(properties.url() + "/v1/projects/" + project + "/comparisons?limit=" + limit
                + (position > 0 ? "&after=" + position : ""));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(properties.timeout())
                .header("Authorization", "Bearer " + serviceKey).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new FeedbackUnavailableException("The feedback-service at " + properties.url() + " did not answer: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FeedbackUnavailableException("Interrupted while reading comparisons", e);
        }
        if (response.statusCode() != 200) {
            throw new FeedbackUnavailableException("The feedback-service answered " + response.statusCode()
                    + " for project " + project + ": " + response.body(), null);
        }
        JsonNode page = json.readTree(response.body());
        List<Comparison> comparisons = new ArrayList<>();
        for (JsonNode item : page.get("data")) {
            comparisons.add(json.treeToValue(item, Comparison.class));
        }
        long last = comparisons.isEmpty() ? position : comparisons.get(comparisons.size() - 1).position();
        return new Page(comparisons, last, page.get("has_more").asBoolean());
    }
}
