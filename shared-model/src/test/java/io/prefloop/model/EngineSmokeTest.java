package io.prefloop.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class EngineSmokeTest {

    @Test
    void pytorchEngineLoadsOfflineAndComputes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1f, 2f, 3f});
            assertThat(x.mul(2).sum().getFloat()).isEqualTo(12f);
            assertThat(manager.getEngine().getEngineName()).isEqualTo("PyTorch");
        }
    }
}
