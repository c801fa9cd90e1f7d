package io.prefloop.model.shapes;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.diffusion.UNet;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed base checkpoint loads (hash verified) into the architecture its manifest names. */
class BaseCheckpointTest {

    @Test
    void committedBaseCheckpointLoads() {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(Path.of("checkpoints"));
        Manifest manifest = store.manifest(ShapesModel.BASE).orElseThrow();
        assertThat(manifest.method()).isEqualTo("pretrain");
        assertThat(manifest.architecture()).containsEntry("family", "unet-eps");
        try (NDManager m = NDManager.newBaseManager()) {
            UNet net = ShapesModel.load(store, ShapesModel.BASE, m);
            assertThat(net.spec()).isEqualTo(ShapesModel.spec());
            assertThat(net.parameterCount()).isEqualTo(558_755);
        }
    }
}
