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
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the trainer-service's checkpoint registry and campaigns with the service key. */
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

    /** The campaigns of one project, as the trainer reports them; none (and not configured) without a trainer URL. */
    TrainerCampaigns campaigns(UUID project) {
        if (http.baseUrl().isEmpty()) {
            return new TrainerCampaigns(false, List.of());
        }
        List<JsonNode> campaigns = new ArrayList<>();
        for (JsonNode campaign : get("/v1/campaigns")) {
            if (project.toString().equalsIgnoreCase(campaign.path("project").asString(""))) {
                campaigns.add(campaign);
            }
        }
        return new TrainerCampaigns(true, campaigns);
    }

    /**
     * One campaign with its depth history, proposals and evaluations; the evaluations are empty
     * when the trainer has none to give (404 for that path: a trainer without evaluations yet).
     *
     * @throws ApiException 404 when the trainer knows no such campaign, 503 without a trainer URL
     */
    CampaignOverview overview(UUID id) {
        if (http.baseUrl().isEmpty()) {
            throw notConfigured();
        }
        String base = "/v1/campaigns/" + id;
        JsonNode campaign = read(base, false, true);
        if (campaign == null) {
            throw ApiException.notFound("Campaign", id);
        }
        if (!campaign.isObject()) {
            throw unavailable("sent something other than an object for GET " + base);
        }
        JsonNode evaluations = read(base + "/evaluations", true, true);
        return new CampaignOverview(campaign, list(get(base + "/depth")), list(get(base + "/proposals")),
                evaluations == null ? List.of() : list(evaluations));
    }

    static ApiException notConfigured() {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Trainer not configured",
                "No trainer is configured (prefloop.feedback.trainer-url), so there are no campaigns to show");
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private JsonNode get(String path) {
        return read(path, true, false);
    }

    /**
     * GET {@code path}; any status but 200 is a 502, except a 404 where {@code missing} allows it.
     *
     * @param array whether the answer must be a list
     * @param missing whether a 404 is an answer (null) rather than a failure
     */
    private JsonNode read(String path, boolean array, boolean missing) {
        HttpRequest request = http.request(path).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(), "GET " + path);
            if (response.statusCode() == 404 && missing) {
                return null;
            }
            if (response.statusCode() != 200) {
                throw unavailable("answered " + response.statusCode() + " to GET " + path);
            }
            JsonNode body = json.readTree(response.body());
            if (array && !body.isArray()) {
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
