package io.prefloop.inference.serving;

import io.prefloop.inference.CheckpointStoreProperties;
import io.prefloop.inference.InferenceProperties;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.nn.DeviceSetting;
import io.prefloop.model.nn.conv.ConvolutionSelfCheck;
import io.prefloop.model.shapes.ShapesConvolutions;
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

    /**
     * The convolution gradient check every process that trains or serves runs at start (docs/djl.md):
     * sampling only needs forward passes, which are right on every path, but a wrong kernel here is
     * worth knowing before a trainer on the same kind of node is trusted; shown in /v1/models.
     */
    @Bean
    ConvolutionSelfCheck.Report convolutionSelfCheck(ModelLoader loader) {
        return ConvolutionSelfCheck.run(ShapesConvolutions.calls(8), loader.device());
    }

    @Bean
    ModelLoader modelLoader(DirectoryCheckpointStore store, InferenceProperties properties) {
        ModelLoader loader = new ModelLoader(store, DeviceSetting.choose("prefloop.inference.device", properties.device()));
        LoggerFactory.getLogger(ModelLoader.class).info("Models run on {}", loader.device());
        return loader;
    }
}
