package io.prefloop.inference.registry;

import io.prefloop.common.auth.AuthProperties;
import io.prefloop.common.http.ServiceHttp;
import io.prefloop.common.http.ServiceUnreachableException;
import io.prefloop.inference.InferenceProperties;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Reads the trainer's checkpoint registry over HTTP with the service key. */
@Component
public class TrainerClient {

    /** An entry of {@code GET /v1/models}. */
    public record RegistryModel(String name, String currentVersion, int checkpoints) {}

    /** The fields of the trainer's CheckpointView that serving needs. */
    public record RegistryCheckpoint(String model, String version, String reference, String weightsSha256) {}

    private final JsonMapper json;
    private final ServiceHttp http;

    TrainerClient(InferenceProperties properties, AuthProperties auth, JsonMapper json) {
        // the registry may grow fields; read what serving knows
        this.json = json.rebuild().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        this.http = new ServiceHttp("trainer-service", properties.trainerUrl(), auth.serviceKey(), properties.timeout());
    }

    public List<RegistryModel> models() {
        return json.readValue(get("/v1/models").orElseThrow(), new TypeReference<List<RegistryModel>>() {});
    }

    /** The model's current checkpoint; empty when none is promoted. */
    public Optional<RegistryCheckpoint> current(String model) {
        return get("/v1/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8) + "/current")
                .map(body -> json.readValue(body, RegistryCheckpoint.class));
    }

    private Optional<String> get(String path) {
        HttpRequest request = http.request(path).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(), "GET " + path);
        } catch (ServiceUnreachableException e) {
            throw new RegistryUnavailableException(e.getMessage());
        }
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new RegistryUnavailableException("The trainer answered " + response.statusCode() + " for " + path
                    + ": " + response.body());
        }
        return Optional.of(response.body());
    }

    public static class RegistryUnavailableException extends RuntimeException {
        RegistryUnavailableException(String message) {
            super(message);
        }
    }
}
