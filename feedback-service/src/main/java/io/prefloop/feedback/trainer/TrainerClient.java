package io.prefloop.feedback.trainer;

import io.prefloop.common.auth.AuthProperties;
import io.prefloop.common.http.ServiceHttp;
import io.prefloop.common.http.ServiceUnreachableException;
import io.prefloop.common.web.ApiException;
import io.prefloop.feedback.FeedbackProperties;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the trainer-service's checkpoint registry with the service key. */
@Component
class TrainerClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final JsonMapper json;
    private final ServiceHttp http;

    TrainerClient(FeedbackProperties properties, AuthProperties auth, JsonMapper json) {
        this.http = new ServiceHttp("trainer-service", properties.trainerUrl(), auth.serviceKey(), TIMEOUT);
        this.json = json;
    }

    TrainerModels models() {
        if (http.baseUrl().isEmpty()) {
            return new TrainerModels(false, List.of());
        }
        List<TrainerModels.Model> models = new ArrayList<>();
        for (JsonNode model : get("/v1/models")) {
            String name = model.path("name").asString();
            String path = "/v1/models/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")
                    + "/checkpoints";
            List<JsonNode> checkpoints = new ArrayList<>();
            get(path).forEach(checkpoints::add);
            JsonNode current = model.path("current_version");
            models.add(new TrainerModels.Model(name, current.isNull() || current.isMissingNode() ? null
                    : current.asString(), checkpoints));
        }
        return new TrainerModels(true, models);
    }

    private JsonNode get(String path) {
        HttpRequest request = http.request(path).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(), "GET " + path);
            if (response.statusCode() != 200) {
                throw unavailable("answered " + response.statusCode() + " to GET " + path);
            }
            JsonNode body = json.readTree(response.body());
            if (!body.isArray()) {
                throw unavailable("sent something other than a list for GET " + path);
            }
            return body;
        } catch (JacksonException e) {
            throw unavailable("sent what could not be read for GET " + path + " (" + e.getMessage() + ")");
        } catch (ServiceUnreachableException e) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Trainer unavailable", e.getMessage());
        }
    }

    private static ApiException unavailable(String why) {
        return new ApiException(HttpStatus.BAD_GATEWAY, "Trainer unavailable", "The trainer-service " + why);
    }
}
