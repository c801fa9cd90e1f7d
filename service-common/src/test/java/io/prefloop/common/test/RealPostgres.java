package io.prefloop.common.test;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Points a test context at a real PostgreSQL: a Testcontainers one where a Docker engine answers,
 * otherwise the service's own embedded PostgreSQL in a throw-away directory. Never H2.
 */
public class RealPostgres implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    private static final Logger log = LoggerFactory.getLogger(RealPostgres.class);
    private static PostgreSQLContainer container;
    private static Boolean docker;

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        // fsync off makes the suite faster; benchmarks set prefloop.test.fsync=true to measure honestly
        Map<String, Object> properties = dockerAvailable() ? containerProperties() : Map.of(
                "prefloop.embedded-postgres.ephemeral", "true",
                "prefloop.embedded-postgres.fsync", System.getProperty("prefloop.test.fsync", "false"));
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("realPostgres", properties));
    }

    private static synchronized boolean dockerAvailable() {
        if (docker == null) {
            boolean disabled = "false".equals(System.getenv("PREFLOOP_TEST_DOCKER"));
            try {
                docker = !disabled && DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                docker = false;
            }
            log.info(docker ? "Tests use PostgreSQL in Testcontainers" : "No Docker engine: tests use embedded PostgreSQL");
        }
        return docker;
    }

    private static synchronized Map<String, Object> containerProperties() {
        if (container == null) {
            container = new PostgreSQLContainer("postgres:17-alpine");
            container.start();
        }
        return Map.of(
                "spring.datasource.url", container.getJdbcUrl(),
                "spring.datasource.username", container.getUsername(),
                "spring.datasource.password", container.getPassword());
    }
}
