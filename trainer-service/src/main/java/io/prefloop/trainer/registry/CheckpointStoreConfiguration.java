package io.prefloop.trainer.registry;

import io.prefloop.model.checkpoint.CheckpointStore;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import java.nio.file.Path;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class CheckpointStoreConfiguration {

    @Bean
    DirectoryCheckpointStore checkpointStore(CheckpointStoreProperties properties) {
        return new DirectoryCheckpointStore(Path.of(properties.root()).toAbsolutePath().normalize());
    }
}
