package io.prefloop.model.text.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The clipped surrogate and the clipped value loss against values worked out by hand. */
class ClippedLossesTest {

    @Test
    void surrogateTakesThePessimisticTermPerTokenAndIgnoresMaskedPositions() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // ratios 1.5, 0.5, 1.1 and a masked position with a huge ratio and advantage
            NDArray logProbs = manager.create(new float[] {(float) Math.log(1.5), (float) Math.log(0.5),
                    (float) Math.log(1.1), 5f});
            logProbs.setRequiresGradient(true);
            NDArray old = manager.zeros(new ai.djl.ndarray.types.Shape(4));
            NDArray advantages = manager.create(new float[] {1, 1, -1, 100});
            NDArray mask = manager.create(new float[] {1, 1, 1, 0});
            ClippedSurrogate.Result r;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                r = ClippedSurrogate.compute(logProbs, old, advantages, mask, 0.2);
                collector.backward(r.loss());
            }
            // max(−1.5, −1.2) = −1.2 (clipped), max(−0.5, −0.8) = −0.5, max(1.1, 1.1) = 1.1: mean −0.2
            assertThat(r.loss().getFloat()).isCloseTo(-0.2f, within(1e-6f));
            assertThat(r.clipFraction()).isCloseTo(1 / 3.0, within(1e-6));
            double squares = Math.pow(Math.log(1.5), 2) + Math.pow(Math.log(0.5), 2) + Math.pow(Math.log(1.1), 2);
            assertThat(r.approxKl()).isCloseTo(0.5 * squares / 3, within(1e-6));
            assertThat(r.ratio()).isCloseTo(3.1 / 3, within(1e-6));
            // no gradient through the clipped token or the masked one; −A·ρ / 3 through the others
            float[] gradient = logProbs.getGradient().toFloatArray();
            assertThat(gradient[0]).isCloseTo(0f, within(1e-7f));
            assertThat(gradient[1]).isCloseTo(-0.5f / 3, within(1e-6f));
            assertThat(gradient[2]).isCloseTo(1.1f / 3, within(1e-6f));
            assertThat(gradient[3]).isCloseTo(0f, within(1e-7f));
        }
    }

    @Test
    void valueLossIsHalfTheMeanOfTheLargerSquaredError() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray values = manager.create(new float[] {1.0f, 0.0f, 0.0f, 9f});
            NDArray old = manager.create(new float[] {0.5f, 0.5f, 0.1f, 0f});
            NDArray returns = manager.create(new float[] {1.2f, 0.0f, 1.0f, 0f});
            NDArray mask = manager.create(new float[] {1, 1, 1, 0});
            ClippedValueLoss.Result r = ClippedValueLoss.compute(values, old, returns, mask, 0.2);
            // clipped values 0.7, 0.3, 0.0: errors max(0.04, 0.25), max(0, 0.09), max(1, 1)
            assertThat(r.loss().getFloat()).isCloseTo(0.5f * (0.25f + 0.09f + 1f) / 3, within(1e-6f));
            assertThat(r.clipFraction()).isCloseTo(2 / 3.0, within(1e-6));
        }
    }
}
