package io.prefloop.trainer;

import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.RealPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ContextConfiguration;

/**
 * The trainer under test on a random port, over its own PostgreSQL database. A subclass gives its
 * settings with {@code @TestPropertySource}, and imports its own {@code @TestConfiguration}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = RealPostgres.class)
public abstract class TrainerIntegrationTest {

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcClient jdbc;

    /** The trainer's API, for this test's port. */
    protected ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient("http://localhost:" + port);
    }
}
