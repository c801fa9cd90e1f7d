package io.prefloop.inference.registry;

import io.prefloop.common.auth.AuthProperties;
import io.prefloop.inference.InferenceProperties;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
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

    private final InferenceProperties properties;
    private final String serviceKey;
    private final JsonMapper json;
    private final HttpClient http;

    TrainerClient(InferenceProperties properties, AuthProperties auth, JsonMapper json) {
        this.properties = properties;
        this.serviceKey = auth.serviceKey();
        // the registry may grow fields; read what serving knows
        this.json = json.rebuild().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(properties.timeout())
                .build();
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
        HttpRequest request = HttpRequest.newBuilder(URI.create(properties.trainerUrl() + path))
                .timeout(properties.timeout()).header("Authorization", "Bearer " + serviceKey).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RegistryUnavailableException("The trainer at " + properties.trainerUrl() + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("Interrupted while reading the registry");
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
