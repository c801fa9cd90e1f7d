package io.prefloop.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.support.InferenceTest;
import org.junit.jupiter.api.Test;

class InferenceStartsTest extends InferenceTest {

    @Test
    void startsStatelessWithProbesAndMetrics() {
        ApiClient api = api();
        assertThat(api.get("/actuator/health/liveness", null).body()).contains("UP");
        assertThat(api.get("/actuator/health/readiness", null).body()).contains("UP");
        assertThat(api.get("/actuator/prometheus", null).body()).contains("jvm_memory_used_bytes");
        assertThat(api.get("/v3/api-docs", null).status()).isEqualTo(200);
    }
}
