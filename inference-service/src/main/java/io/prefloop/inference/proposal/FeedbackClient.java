package io.prefloop.inference.proposal;

import io.prefloop.common.auth.AuthProperties;
import io.prefloop.common.http.ServiceHttp;
import io.prefloop.common.http.ServiceUnreachableException;
import io.prefloop.common.web.ApiException;
import io.prefloop.inference.InferenceProperties;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Registers candidates and pairs in the feedback-service, and scores its open pairs, with the service key. */
@Component
public class FeedbackClient {

    private final JsonMapper json;
    private final ServiceHttp http;

    FeedbackClient(InferenceProperties properties, AuthProperties auth, JsonMapper json) {
        this.json = json;
        this.http = new ServiceHttp("feedback-service", properties.feedbackUrl(), auth.serviceKey(), properties.timeout());
    }

    /** @return the new candidate's id */
    public UUID createCandidate(UUID project, Map<String, Object> candidate, String idempotencyKey) {
        return UUID.fromString(post("/v1/projects/" + project + "/candidates", candidate, idempotencyKey)
                .get("id").asString());
    }

    /**
     * @param pA P(a ≻ b) under the reward model checkpoint {@code scoredBy}; both null when not scored
     * @return the new pair's id
     */
    public UUID createPair(UUID project, UUID a, UUID b, String idempotencyKey, Double pA, String scoredBy) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("candidate_a", a);
        body.put("candidate_b", b);
        if (pA != null) {
            body.put("p_a", pA);
            body.put("scored_by", scoredBy);
        }
        return UUID.fromString(post("/v1/projects/" + project + "/pairs", body, idempotencyKey).get("id").asString());
    }

    /** A page of the project's open pairs with their candidates (texts, or image URLs), after a pair id. */
    public JsonNode openPairs(UUID project, UUID after, int limit) {
        return send(http.request("/v1/projects/" + project + "/pairs?status=open&limit=" + limit
                + (after == null ? "" : "&after=" + after)).GET().build(), "GET open pairs");
    }

    /** The PNG of a candidate image, by the SHA-256 its URL names. */
    public byte[] image(String sha256) {
        String path = "/v1/images/" + sha256 + ".png";
        HttpResponse<byte[]> response;
        try {
            response = http.send(http.request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray(), "GET " + path);
        } catch (ServiceUnreachableException e) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Feedback-service unavailable", e.getMessage());
        }
        if (response.statusCode() != 200) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Feedback-service error",
                    "The feedback-service answered " + response.statusCode() + " to " + path);
        }
        return response.body();
    }

    /** Sets P(a ≻ b) of open pairs; returns how many were updated. */
    public int scorePairs(UUID project, String scoredBy, List<Map<String, Object>> scores) {
        return post("/v1/projects/" + project + "/pairs/scores", Map.of("scored_by", scoredBy, "scores", scores), null)
                .path("updated").asInt();
    }

    private JsonNode post(String path, Object body, String idempotencyKey) {
        HttpRequest.Builder builder = http.request(path).header("Content-Type", "application/json");
        if (idempotencyKey != null) {
            builder.header("Idempotency-Key", idempotencyKey);
        }
        return send(builder.POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                "POST " + path);
    }

    private JsonNode send(HttpRequest request, String what) {
        String path = request.uri().getPath();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(), what);
        } catch (ServiceUnreachableException e) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Feedback-service unavailable", e.getMessage());
        }
        int status = response.statusCode();
        if (status == 200 || status == 201) {
            return json.readTree(response.body());
        }
        String detail = "The feedback-service answered " + status + " to " + path + ": " + detailOf(response.body());
        if (status == 404) {
            throw new ApiException(HttpStatus.NOT_FOUND, "Not found", detail);
        }
        if (status >= 400 && status < 500) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Refused by the feedback-service", detail);
        }
        throw new ApiException(HttpStatus.BAD_GATEWAY, "Feedback-service error", detail);
    }

    private String detailOf(String body) {
        try {
            JsonNode node = json.readTree(body);
            return node.path("detail").asString(body);
        } catch (RuntimeException e) {
            return body;
        }
    }
}
