package io.prefloop.trainer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Consumes comparisons and runs training jobs; keeps the checkpoint registry. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class TrainerApplication {

    public static void main(String[] args) {
        SpringApplication.run(TrainerApplication.class, args);
    }
}
