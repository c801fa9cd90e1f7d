package io.prefloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import org.junit.jupiter.api.Test;

class TrainerStartsTest extends TrainerIntegrationTest {

    @Test
    void startsOnItsOwnMigratedDatabaseWithProbesAndMetrics() {
        ApiClient api = new ApiClient("http://localhost:" + port);
        assertThat(api.get("/actuator/health/liveness", null).body()).contains("UP");
        assertThat(api.get("/actuator/health/readiness", null).body()).contains("UP");
        assertThat(api.get("/actuator/prometheus", null).body()).contains("jvm_memory_used_bytes");
        assertThat(api.get("/v3/api-docs", null).status()).isEqualTo(200);
        assertThat(jdbc.sql("select current_database()").query(String.class).single()).isEqualTo("trainer");
        assertThat(jdbc.sql("select count(*) from flyway_schema_history where success").query(Integer.class).single())
                .isGreaterThanOrEqualTo(2);
    }
}
