package io.prefloop.loop;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON over HTTP to one service, with a bearer key. Non-2xx answers are errors naming the call. */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final String base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    Http(String base) {
        this.base = base;
    }

    String base() {
        return base;
    }

    JsonNode get(String path, String key) {
        return parse(send(HttpRequest.newBuilder(URI.create(base + path)).GET(), key), "GET " + path);
    }

    /** GET that may answer 204 (then null). */
    JsonNode getOrNull(String path, String key) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + path)).GET(), key);
        return r.statusCode() == 204 ? null : parse(r, "GET " + path);
    }

    JsonNode post(String path, String key, Object body) {
        String json = body instanceof String s ? s : JSON.writeValueAsString(body);
        return parse(send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(json)), key), "POST " + path);
    }

    byte[] bytes(String url) {
        try {
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1))
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + " answered " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean ready() {
        try {
            return send(HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).GET(), null)
                    .statusCode() == 200;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String key) {
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        try {
            return client.send(request.timeout(Duration.ofMinutes(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(base + " did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(HttpResponse<String> r, String call) {
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(call + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }
}
