package io.prefloop.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class InferenceStartsTest {

    @LocalServerPort
    int port;

    @Test
    void startsStatelessWithProbesAndMetrics() {
        ApiClient api = new ApiClient("http://localhost:" + port);
        assertThat(api.get("/actuator/health/liveness", null).body()).contains("UP");
        assertThat(api.get("/actuator/health/readiness", null).body()).contains("UP");
        assertThat(api.get("/actuator/prometheus", null).body()).contains("jvm_memory_used_bytes");
        assertThat(api.get("/v3/api-docs", null).status()).isEqualTo(200);
    }
}
