package io.prefloop.inference.serving;

import io.prefloop.model.nn.DeviceSetting;
import io.prefloop.inference.CheckpointStoreProperties;
import io.prefloop.inference.InferenceProperties;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class ServingConfiguration {

    @Bean
    DirectoryCheckpointStore checkpointStore(CheckpointStoreProperties properties) {
        return new DirectoryCheckpointStore(Path.of(properties.root()).toAbsolutePath().normalize());
    }

    @Bean
    ModelLoader modelLoader(DirectoryCheckpointStore store, InferenceProperties properties) {
        ModelLoader loader = new ModelLoader(store, DeviceSetting.choose("prefloop.inference.device", properties.device()));
        LoggerFactory.getLogger(ModelLoader.class).info("Models run on {}", loader.device());
        return loader;
    }
}
