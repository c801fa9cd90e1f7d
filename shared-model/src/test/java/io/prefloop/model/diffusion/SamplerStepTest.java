package io.prefloop.model.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Golden values from src/test/resources/diffusion/golden.py (ddpo-pytorch's formulas). */
class SamplerStepTest {

    private final NoiseSchedule s = NoiseSchedule.linear(4, 0.1, 0.4);

    @Test
    void ddimStepAndItsLogProbabilityMatchHandComputedValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xt = m.create(new float[] {0.5f, -1f}, new Shape(1, 1, 1, 2));
            NDArray eps = m.create(new float[] {0.2f, 0.3f}, new Shape(1, 1, 1, 2));
            NDArray z = m.create(new float[] {1f, -0.5f}, new Shape(1, 1, 1, 2));
            SamplerStep step = DdimStep.step(s, xt, eps, 2, 1, 0.5, false, z);
            assertThat(step.sigma()).isCloseTo(0.20576372293827538, within(1e-12));
            assertThat(step.predictedX0().toFloatArray())
                    .containsExactly(new float[] {0.50588886f, -1.70619995f}, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(step.mean().toFloatArray())
                    .containsExactly(new float[] {0.52676197f, -1.30150711f}, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(step.prevSample().toFloatArray())
                    .containsExactly(new float[] {0.73252569f, -1.40438897f}, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(step.logProb().getShape()).isEqualTo(new Shape(1));
            assertThat(step.logProb().getFloat(0)).isCloseTo(0.3495882f, within(1e-5f));
        }
    }

    @Test
    void deterministicDdimHasNoNoiseAndClipsX0WhenAsked() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xt = m.create(new float[] {0.5f, -1f}, new Shape(1, 1, 1, 2));
            NDArray eps = m.create(new float[] {0.2f, 0.3f}, new Shape(1, 1, 1, 2));
            SamplerStep step = DdimStep.step(s, xt, eps, 2, 1, 0, true, null);
            assertThat(step.sigma()).isZero();
            assertThat(step.prevSample().toFloatArray()).containsExactly(step.mean().toFloatArray());
            assertThat(step.predictedX0().toFloatArray()[1]).isEqualTo(-1f);
            // last step (ᾱ_prev = 1) returns x̂0 itself
            SamplerStep last = DdimStep.step(s, xt, eps, 0, -1, 0, false, null);
            assertThat(last.prevSample().toFloatArray())
                    .containsExactly(last.predictedX0().toFloatArray(), org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void ddpmStepIsDdimWithEtaOne() {
        NoiseSchedule big = NoiseSchedule.linear(1000, 1e-4, 0.02);
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray xt = m.randomNormal(new Shape(3, 3, 4, 4));
            NDArray eps = m.randomNormal(new Shape(3, 3, 4, 4));
            NDArray z = m.randomNormal(new Shape(3, 3, 4, 4));
            for (int[] tt : new int[][] {{960, 920}, {500, 460}, {40, 0}, {0, -1}}) {
                SamplerStep ddpm = DdpmStep.step(big, xt, eps, tt[0], tt[1], false, z);
                SamplerStep ddim = DdimStep.step(big, xt, eps, tt[0], tt[1], 1.0, false, z);
                assertThat(ddpm.sigma()).isCloseTo(ddim.sigma(), within(1e-9));
                assertThat(ddpm.mean().sub(ddim.mean()).abs().max().getFloat()).isLessThan(2e-4f);
            }
        }
    }

    @Test
    void logProbOfAStoredSampleIsHighestAtTheMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xt = m.create(new float[] {0.5f, -1f}, new Shape(1, 1, 1, 2));
            NDArray eps = m.create(new float[] {0.2f, 0.3f}, new Shape(1, 1, 1, 2));
            SamplerStep step = DdimStep.step(s, xt, eps, 2, 1, 1.0, false, m.zeros(new Shape(1, 1, 1, 2)));
            double atMean = step.logProbOf(step.mean()).getFloat(0);
            assertThat(atMean).isCloseTo(-Math.log(step.sigma()) - 0.5 * Math.log(2 * Math.PI), within(1e-5));
            assertThat(step.logProbOf(step.mean().add(0.1f)).getFloat(0)).isLessThan((float) atMean);
        }
    }
}
