package io.prefloop.trainer.inference;

import io.prefloop.common.auth.AuthProperties;
import io.prefloop.common.http.ServiceHttp;
import io.prefloop.common.http.ServiceUnreachableException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Asks the inference-service what it serves, for proposals, and to score open pairs. */
@Component
public class InferenceClient {

    /** What one proposal made: the checkpoint it sampled from, the candidates' ids in order, and how many pairs. */
    public record Proposal(String checkpoint, int pairs, List<UUID> candidates) {}

    /** Open pairs scored, and the reward model checkpoint that scored them. */
    public record Scores(String checkpoint, int scored) {}

    private final JsonMapper json;
    private final ServiceHttp http;

    InferenceClient(InferenceProperties properties, AuthProperties auth, JsonMapper json) {
        this.json = json;
        this.http = new ServiceHttp("inference-service", properties.url(), auth.serviceKey(), properties.timeout());
    }

    /** The checkpoint ("model/version") the inference-service has loaded for a model; empty when none. */
    public Optional<String> served(String model) {
        JsonNode models = call(http.request("/v1/models").GET().build(), "GET /v1/models");
        for (JsonNode m : models.path("data")) {
            JsonNode loaded = m.path("loaded");
            if (m.path("name").asString().equals(model) && loaded.isObject()) {
                return Optional.of(loaded.path("checkpoint").asString());
            }
        }
        return Optional.empty();
    }

    /** {@code POST /v1/projects/{project}/proposals} with the request as given. */
    public Proposal propose(UUID project, Map<String, Object> request) {
        String path = "/v1/projects/" + project + "/proposals";
        JsonNode result = call(post(path, request), "POST " + path);
        List<UUID> candidates = new java.util.ArrayList<>();
        result.path("candidates").forEach(c -> candidates.add(UUID.fromString(c.path("id").asString())));
        return new Proposal(result.path("checkpoint").asString(), result.path("pairs").size(), candidates);
    }

    /** Scores the project's open pairs with the current checkpoint of a reward model. */
    public Scores scoreOpenPairs(UUID project, String rewardModel) {
        String path = "/v1/projects/" + project + "/pair-scores";
        JsonNode result = call(post(path, Map.of("reward_model", rewardModel)), "POST " + path);
        return new Scores(result.path("checkpoint").asString(), result.path("scored").asInt());
    }

    private HttpRequest post(String path, Object body) {
        return http.request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
    }

    private JsonNode call(HttpRequest request, String what) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(), what);
        } catch (ServiceUnreachableException e) {
            throw new InferenceCallException(e.getMessage(), false, e);
        }
        int status = response.statusCode();
        if (status == 200 || status == 201) {
            return json.readTree(response.body());
        }
        throw new InferenceCallException("The inference-service answered " + status + " to " + what + ": "
                + detail(response.body()), status >= 400 && status < 500, null);
    }

    private String detail(String body) {
        try {
            return json.readTree(body).path("detail").asString(body);
        } catch (RuntimeException e) {
            return body;
        }
    }
}
