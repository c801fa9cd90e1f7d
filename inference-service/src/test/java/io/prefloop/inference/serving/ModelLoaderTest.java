package io.prefloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.family.UnknownModelFamilyException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLoaderTest {

    @Test
    void aCheckpointOfAnUnknownFamilyIsRefusedNamingItAndTheKnownOnes(@TempDir Path root) {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(root);
        CheckpointId id = new CheckpointId("imported", "v0001");
        store.publish(Manifest.of(id, Map.of("family", "sd-unet"), "import"), new NDList());

        assertThatThrownBy(() -> new ModelLoader(store, Device.cpu()).load(id, null))
                .isInstanceOf(UnknownModelFamilyException.class)
                .hasMessageContaining("unknown model family sd-unet")
                .hasMessageContaining("known: unet-eps, causal_transformer");
    }
}
