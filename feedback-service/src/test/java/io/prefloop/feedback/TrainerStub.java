package io.prefloop.feedback;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in for the trainer-service's checkpoint registry (its {@code GET /v1/models} and
 * {@code GET /v1/models/{name}/checkpoints}, in the trainer's JSON), which the feedback tests
 * point {@code prefloop.feedback.trainer-url} at. It asks for the service key like the trainer.
 */
public final class TrainerStub {

    public static final String MODEL = "shapes-base";

    private static HttpServer server;
    private static volatile boolean failing;

    private TrainerStub() {}

    public static synchronized String url() {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", TrainerStub::handle);
            server.start();
        }
        return "http://localhost:" + server.getAddress().getPort();
    }

    /** While set, every call answers 503, as a trainer that is down or restarting. */
    public static void failing(boolean value) {
        failing = value;
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (failing) {
            send(exchange, 503, "{\"title\":\"Service Unavailable\"}");
        } else if (!("Bearer " + FeedbackIntegrationTest.SERVICE).equals(auth)) {
            send(exchange, 401, "{\"title\":\"Unauthorized\"}");
        } else if (path.equals("/v1/models")) {
            send(exchange, 200, "[{\"name\":\"" + MODEL + "\",\"current_version\":\"v0003\",\"checkpoints\":3}]");
        } else if (path.equals("/v1/models/" + MODEL + "/checkpoints")) {
            send(exchange, 200, "[" + checkpoint("v0001", null, "pretrain", 0.0, 0.50, 0.41, "2025-06-01T09:00:00Z", false)
                    + "," + checkpoint("v0002", "v0001", "diffusion_dpo", 0.62, 0.64, 0.55, "2025-06-01T12:00:00Z", false)
                    + "," + checkpoint("v0003", "v0002", "diffusion_dpo", 0.71, 0.70, 0.63, "2025-06-01T15:30:00Z", true)
                    + "]");
        } else {
            send(exchange, 404, "{\"title\":\"Not found\"}");
        }
    }

    private static String checkpoint(String version, String parent, String method, double accuracy,
            double margin, double alignment, String created, boolean current) {
        return """
                {"model":"%s","version":"%s","parent":%s,"reference":%s,"method":"%s","job_id":null,
                 "architecture":{"kind":"unet"},"hyperparameters":{"beta":1000},
                 "dataset":{"feed_after":0,"feed_to":%d},
                 "metrics":{"rewards/accuracies":%s,"rewards/margins":%s,"oracle_alignment":%s},
                 "weights_sha256":"%s","created_at":"%s","registered_at":"%s","current":%s}"""
                .formatted(MODEL, version, parent == null ? "null" : "\"" + MODEL + "/" + parent + "\"",
                        parent == null ? "null" : "\"" + MODEL + "/v0001\"", method, (int) (accuracy * 1000),
                        accuracy, margin, alignment, "0".repeat(64), created, created, current);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
