package io.prefloop.trainer.feedback;

import io.prefloop.common.auth.AuthProperties;
import io.prefloop.common.http.ServiceHttp;
import io.prefloop.common.http.ServiceUnreachableException;
import io.prefloop.common.io.Sha256;
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

    private final JsonMapper json;
    private final ServiceHttp http;

    FeedbackClient(FeedbackProperties properties, AuthProperties auth, JsonMapper json) {
        // the feed may grow fields; the trainer reads what it knows
        this.json = json.rebuild().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        this.http = new ServiceHttp("feedback-service", properties.url(), auth.serviceKey(), properties.timeout());
    }

    /** A candidate's prompt and content (text, or the image's SHA-256). */
    public record CandidateContent(UUID id, String prompt, String text, String imageSha256) {}

    /** A candidate by id, or an error naming it. */
    public CandidateContent candidate(UUID id) {
        HttpRequest request = http.request("/v1/candidates/" + id).GET().build();
        HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString(), "candidate " + id);
        if (response.statusCode() != 200) {
            throw new FeedbackUnavailableException("The feedback-service answered " + response.statusCode()
                    + " for candidate " + id + ": " + response.body(), null);
        }
        return json.readValue(response.body(), CandidateContent.class);
    }

    /** The PNG bytes of a candidate image, by its SHA-256 (checked against the bytes received). */
    public byte[] image(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256: " + sha256);
        }
        HttpRequest request = http.request("/v1/images/" + sha256 + ".png").GET().build();
        HttpResponse<byte[]> response = send(request, HttpResponse.BodyHandlers.ofByteArray(), "image " + sha256);
        if (response.statusCode() != 200) {
            throw new FeedbackUnavailableException("The feedback-service answered " + response.statusCode()
                    + " for image " + sha256, null);
        }
        String actual = Sha256.hex(response.body());
        if (!actual.equals(sha256)) {
            throw new FeedbackUnavailableException("Image " + sha256 + " arrived damaged (its hash is " + actual + ")", null);
        }
        return response.body();
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
        try {
            return http.send(request, handler, what);
        } catch (ServiceUnreachableException e) {
            throw new FeedbackUnavailableException(e.getMessage(), e);
        }
    }

    /** A demonstration: what the model should answer to a prompt (text, or an image by its SHA-256). */
    public record Demonstration(UUID id, String prompt, String text, String imageSha256, java.time.Instant createdAt) {}

    /** A page of a project's demonstrations, oldest first; {@code after} is the last id of the page before. */
    public record DemonstrationPage(List<Demonstration> demonstrations, boolean hasMore) {}

    /** Demonstrations after the one with id {@code after} (null: from the first), at most {@code limit} (1–1000). */
    public DemonstrationPage demonstrations(UUID project, UUID after, int limit) {
        HttpRequest request = http.request("/v1/projects/" + project + "/demonstrations?limit=" + limit
                + (after != null ? "&after=" + after : "")).GET().build();
        HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString(), "demonstrations");
        if (response.statusCode() != 200) {
            throw new FeedbackUnavailableException("The feedback-service answered " + response.statusCode()
                    + " for the demonstrations of project " + project + ": " + response.body(), null);
        }
        JsonNode page = json.readTree(response.body());
        List<Demonstration> demonstrations = new ArrayList<>();
        for (JsonNode item : page.get("data")) {
            demonstrations.add(json.treeToValue(item, Demonstration.class));
        }
        return new DemonstrationPage(demonstrations, page.get("has_more").asBoolean());
    }

    /** Comparisons after {@code position}, at most {@code limit} (1–1000). */
    public Page comparisons(UUID project, long position, int limit) {
        HttpRequest request = http.request("/v1/projects/" + project + "/comparisons?limit=" + limit
                + (position > 0 ? "&after=" + position : "")).GET().build();
        HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString(), "comparisons");
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
