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

    @Test
    void showsItsConvolutionGradientCheckInTheModelList() {
        var convolutions = api().get("/v1/models", ADMIN).json().get("convolutions");
        assertThat(convolutions.get("training_allowed").asBoolean()).as(convolutions.toString()).isTrue();
        assertThat(convolutions.get("shapes_checked").asInt()).isGreaterThan(10);
        assertThat(convolutions.get("worst_relative_error").asDouble()).isLessThan(1e-3);
        assertThat(convolutions.get("path").asString()).isIn("direct", "padded_channels", "onednn_off", "float64");
        assertThat(convolutions.get("summary").asString()).contains("convolution self-check");
    }
}
