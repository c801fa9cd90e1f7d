package io.prefloop.model.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import org.junit.jupiter.api.Test;

class EmaTest {

    @Test
    void movesTheAverageTowardsTheModelByOneMinusDecay() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear model = Linear.builder().setUnits(1).build();
            Linear avg = Linear.builder().setUnits(1).build();
            model.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            avg.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            model.getParameters().get("weight").getArray().set(new float[] {1f, 2f});
            avg.getParameters().get("weight").getArray().set(new float[] {0f, 0f});
            Ema ema = new Ema(model, avg, 0.9);
            ema.update();
            ema.update();
            // 0.9·(0.1·θ) + 0.1·θ = 0.19·θ
            assertThat(avg.getParameters().get("weight").getArray().toFloatArray())
                    .containsExactly(new float[] {0.19f, 0.38f}, offset(1e-6f));
        }
    }
}
