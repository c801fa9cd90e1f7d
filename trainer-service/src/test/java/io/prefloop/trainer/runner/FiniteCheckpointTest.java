package io.prefloop.trainer.runner;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.Manifest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What is not finite is not published, and the reason names it. */
class FiniteCheckpointTest {

    @Test
    void aNanMetricOrANonFiniteWeightIsRefusedByName() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray fine = m.create(new float[] {1, 2, 3});
            fine.setName("conv_in.weight");
            NDArray broken = m.create(new float[] {1, Float.NaN, Float.POSITIVE_INFINITY});
            broken.setName("conv_out.bias");
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("loss", 0.5);
            metrics.put("quality_regression_on", "heldout");
            Manifest ok = manifest(metrics);
            assertThatCode(() -> FiniteCheckpoint.require(ok, new NDList(fine))).doesNotThrowAnyException();

            metrics.put("heldout_loss", Double.NaN);
            assertThatThrownBy(() -> FiniteCheckpoint.require(manifest(metrics), new NDList(fine, broken)))
                    .hasMessageContaining("Refused to publish")
                    .hasMessageContaining("tensor conv_out.bias has 2 non-finite values")
                    .hasMessageContaining("metric heldout_loss = NaN")
                    .hasMessageNotContaining("conv_in.weight");
        }
    }

    private static Manifest manifest(Map<String, Object> metrics) {
        return Manifest.of(new CheckpointId("m", "next"), Map.of(), "dpo").withMetrics(new LinkedHashMap<>(metrics));
    }
}
