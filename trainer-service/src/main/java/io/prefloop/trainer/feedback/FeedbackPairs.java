package io.prefloop.trainer.feedback;

import io.prefloop.common.auth.AuthProperties;
import io.prefloop.common.http.ServiceHttp;
import io.prefloop.common.http.ServiceUnreachableException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What a campaign asks the feedback-service about a project's pairs: how many are open, per checkpoint; retiring them. */
@Component
public class FeedbackPairs {

    /** Pairs whose candidates came from one checkpoint (null: candidates not made by a model). */
    public record CheckpointPairs(String checkpoint, int open, int resolved, int retired, Instant firstCreatedAt) {}

    /** @param open the pairs labelers can still be served */
    public record Summary(int open, List<CheckpointPairs> byCheckpoint) {}

    private final JsonMapper json;
    private final ServiceHttp http;

    FeedbackPairs(FeedbackProperties properties, AuthProperties auth, JsonMapper json) {
        this.json = json.rebuild().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        this.http = new ServiceHttp("feedback-service", properties.url(), auth.serviceKey(), properties.timeout());
    }

    /** The project's modality ("image" or "text"); empty when the feedback-service has no such project. */
    public Optional<String> projectModality(UUID project) {
        HttpResponse<String> response = send(http.request("/v1/projects/" + project).GET().build(), "project " + project);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(body(response, "project " + project).path("modality").asString());
    }

    public Summary summary(UUID project) {
        String what = "the pair summary of project " + project;
        HttpResponse<String> response = send(http.request("/v1/projects/" + project + "/pairs/summary").GET().build(), what);
        return json.treeToValue(body(response, what), Summary.class);
    }

    /** Retires the open, untouched pairs of these checkpoints; how many were retired. */
    public int retire(UUID project, List<String> checkpoints) {
        String what = "retiring pairs of project " + project;
        return body(post("/v1/projects/" + project + "/pairs/retire", Map.of("checkpoints", checkpoints), what), what)
                .path("retired").asInt();
    }

    /** Registers a pair ({@code purpose} training or evaluation); the key makes a retry register nothing twice. */
    public UUID createPair(UUID project, UUID a, UUID b, String purpose, String idempotencyKey) {
        String what = "a pair in project " + project;
        HttpRequest request = http.request("/v1/projects/" + project + "/pairs")
                .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                        Map.of("candidate_a", a, "candidate_b", b, "purpose", purpose)))).build();
        return UUID.fromString(body(send(request, what), what).path("id").asString());
    }

    /** Human win rates from the project's evaluation pairs, per (checkpoint, against) */
    public JsonNode evaluations(UUID project) {
        String what = "the evaluations of project " + project;
        return body(send(http.request("/v1/projects/" + project + "/evaluations").GET().build(), what), what).path("data");
    }

    /** Sets how tasks/next picks pairs: {@code fifo} or {@code uncertainty} with a share of random pairs. */
    public void selection(UUID project, String mode, double randomShare) {
        String what = "the pair selection of project " + project;
        HttpRequest request = http.request("/v1/projects/" + project + "/selection")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                        Map.of("mode", mode, "random_share", randomShare)))).build();
        body(send(request, what), what);
    }

    private HttpResponse<String> post(String path, Object payload, String what) {
        return send(http.request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(payload))).build(), what);
    }

    private HttpResponse<String> send(HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(), what);
        } catch (ServiceUnreachableException e) {
            throw new FeedbackUnavailableException(e.getMessage(), e);
        }
    }

    private JsonNode body(HttpResponse<String> response, String what) {
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new FeedbackUnavailableException("The feedback-service answered " + response.statusCode() + " for "
                    + what + ": " + response.body(), null);
        }
        return json.readTree(response.body());
    }
}
