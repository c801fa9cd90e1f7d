package io.prefloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.RealPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ContextConfiguration;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = RealPostgres.class)
class TrainerStartsTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

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
