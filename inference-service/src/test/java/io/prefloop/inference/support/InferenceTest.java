package io.prefloop.inference.support;

import io.prefloop.common.test.ApiClient;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The inference-service in this JVM on a random port, following the real trainer's registry and
 * registering proposals in the real feedback-service ({@link Platform}). Every test class extends
 * this one unchanged, so they share one Spring context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "prefloop.auth.admin-key=" + Platform.ADMIN, "prefloop.auth.service-key=" + Platform.SERVICE,
        "prefloop.inference.poll=200ms", "prefloop.inference.batching.max-delay=20ms"})
public abstract class InferenceTest {

    protected static final String ADMIN = Platform.ADMIN;
    protected static final String SERVICE = Platform.SERVICE;

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void platform(DynamicPropertyRegistry registry) {
        Platform platform = Platform.get();
        registry.add("prefloop.checkpoints.root", () -> platform.store.root().toString());
        registry.add("prefloop.inference.trainer-url", platform::trainerUrl);
        registry.add("prefloop.inference.feedback-url", platform::feedbackUrl);
    }

    protected Platform platform() {
        return Platform.get();
    }

    protected ApiClient api() {
        return new ApiClient("http://localhost:" + port);
    }

    /** Waits until GET /v1/models says {@code model} serves {@code version}; returns that entry. */
    protected JsonNode awaitServed(String model, String version) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        JsonNode entry = null;
        while (Instant.now().isBefore(deadline)) {
            entry = entry(model);
            if (entry != null && entry.path("loaded").path("version").asString("").equals(version)) {
                return entry;
            }
            if (entry != null && entry.path("refused").findValuesAsString("version").contains(version)) {
                throw new AssertionError("model " + model + " refused " + version + ": " + entry);
            }
            sleep(100);
        }
        throw new AssertionError("model " + model + " did not serve " + version + ": " + entry);
    }

    protected JsonNode entry(String model) {
        for (JsonNode m : api().get("/v1/models", ADMIN).json().get("data")) {
            if (m.get("name").asString().equals(model)) {
                return m;
            }
        }
        return null;
    }

    protected static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
