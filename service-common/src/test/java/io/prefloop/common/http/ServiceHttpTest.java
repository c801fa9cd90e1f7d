package io.prefloop.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServiceHttpTest {

    @Test
    void aRequestCarriesTheServiceKeyToThePathUnderTheBaseUrl() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicReference<String> seen = new AtomicReference<>();
        server.createContext("/", exchange -> {
            seen.set(exchange.getRequestURI() + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(418, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            ServiceHttp http = new ServiceHttp("test-service", "http://127.0.0.1:" + server.getAddress().getPort() + "/",
                    "the-key", Duration.ofSeconds(5));
            HttpResponse<String> response = http.send(http.request("/v1/things?limit=2").GET().build(),
                    HttpResponse.BodyHandlers.ofString(), "things");
            assertThat(response.statusCode()).as("any status comes back to the caller").isEqualTo(418);
            assertThat(seen.get()).isEqualTo("/v1/things?limit=2 Bearer the-key");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aServiceThatDoesNotAnswerIsNamedWithItsAddressAndWhatWasAsked() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        ServiceHttp http = new ServiceHttp("test-service", "http://127.0.0.1:" + port, "k", Duration.ofSeconds(2));
        assertThatThrownBy(() -> http.send(http.request("/v1/x").GET().build(), HttpResponse.BodyHandlers.ofString(),
                "GET /v1/x"))
                .isInstanceOf(ServiceUnreachableException.class)
                .hasMessageContaining("The test-service at http://127.0.0.1:" + port + " did not answer for GET /v1/x");
    }
}
