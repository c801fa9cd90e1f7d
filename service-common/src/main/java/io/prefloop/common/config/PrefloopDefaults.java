package io.prefloop.common.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.ResourcePropertySource;

/**
 * Adds {@code prefloop-defaults.properties} (snake_case JSON, actuator probes, Prometheus,
 * graceful shutdown…) with the lowest precedence, so every service shares one set of defaults
 * and each can still override any of them in its own application.yml or by environment variable.
 */
public class PrefloopDefaults implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        try {
            environment.getPropertySources().addLast(
                    new ResourcePropertySource("prefloopDefaults", new ClassPathResource("prefloop-defaults.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
