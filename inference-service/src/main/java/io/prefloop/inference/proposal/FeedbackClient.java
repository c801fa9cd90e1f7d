package io.prefloop.inference.proposal;

import io.prefloop.common.auth.AuthProperties;
import io.prefloop.common.http.ServiceHttp;
import io.prefloop.common.http.ServiceUnreachableException;
import io.prefloop.common.web.ApiException;
import io.prefloop.inference.InferenceProperties;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Registers candidates and pairs in the feedback-service with the service key. */
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

    /** @return the new pair's id */
    public UUID createPair(UUID project, UUID a, UUID b, String idempotencyKey) {
        return UUID.fromString(post("/v1/projects/" + project + "/pairs", Map.of("candidate_a", a, "candidate_b", b),
                idempotencyKey).get("id").asString());
    }

    private JsonNode post(String path, Object body, String idempotencyKey) {
        HttpRequest request = http.request(path)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(), "POST " + path);
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
