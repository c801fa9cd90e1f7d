package io.prefloop.model.diffusion.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.prefloop.model.diffusion.DdimStep;
import io.prefloop.model.diffusion.GaussianLogProb;
import io.prefloop.model.diffusion.LossResult;
import io.prefloop.model.diffusion.NoiseSchedule;
import io.prefloop.model.diffusion.SamplerStep;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyGradientMathTest {

    @Test
    void gaussianKlOfEqualVarianceTransitionsIsSquaredMeanDistanceOverTwoSigmaSquared() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray policy = m.create(new float[] {1, 2, 3, 3}, new Shape(2, 2));
            NDArray reference = m.create(new float[] {0, 0, 3, 1}, new Shape(2, 2));
            NDArray sigma = m.create(new float[] {0.5f, 2f});
            // row 0: (1 + 4) / (2 · 0.25) = 10; row 1: 4 / (2 · 4) = 0.5
            assertThat(GaussianKl.of(policy, reference, sigma).toFloatArray()).containsExactly(new float[] {10f, 0.5f},
                    within(1e-6f));
            assertThat(GaussianKl.perPixel(policy, reference, sigma).toFloatArray())
                    .containsExactly(new float[] {5f, 0.25f}, within(1e-6f));
            assertThat(GaussianKl.of(policy, policy, sigma).toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void statTrackerNormalisesPerPromptOnceItHasMinCountAndOverTheBatchBefore() {
        PerPromptStatTracker tracker = new PerPromptStatTracker(4, 2);
        double[] first = tracker.update(List.of("a", "a", "b"), new double[] {1, 3, 5});
        // "a": its own buffer [1, 3], mean 2, std 1; "b" has 1 < 2: batch mean 3, std √(8/3)
        assertThat(first[0]).isCloseTo(-1, within(1e-5));
        assertThat(first[1]).isCloseTo(1, within(1e-5));
        assertThat(first[2]).isCloseTo(2 / Math.sqrt(8.0 / 3), within(1e-5));
        double[] second = tracker.update(List.of("a", "b"), new double[] {5, 7});
        assertThat(second[0]).isCloseTo(2 / Math.sqrt(8.0 / 3), within(1e-5)); // [1, 3, 5]
        assertThat(second[1]).isCloseTo(1, within(1e-5)); // [5, 7]
        double[] third = tracker.update(List.of("a", "a"), new double[] {6, 6});
        // the buffer keeps the last 4: [3, 5, 6, 6], mean 5, std √1.5
        assertThat(tracker.count("a")).isEqualTo(4);
        assertThat(third[0]).isCloseTo(1 / Math.sqrt(1.5), within(1e-5));
        assertThat(third[1]).isCloseTo(1 / Math.sqrt(1.5), within(1e-5));
    }

    @Test
    void statTrackerWithAnUnreachableMinCountUsesTheBatchStatistics() {
        PerPromptStatTracker tracker = new PerPromptStatTracker(16, 16);
        double[] adv = tracker.update(List.of("a", "b", "a", "b"), new double[] {0, 2, 4, 6});
        // batch mean 3, std √5
        assertThat(adv).containsExactly(new double[] {-3 / Math.sqrt(5), -1 / Math.sqrt(5), 1 / Math.sqrt(5),
                3 / Math.sqrt(5)}, within(1e-5));
    }

    @Test
    void advantagesAreClippedSymmetrically() {
        assertThat(Advantages.clip(new double[] {-7, -5, 0.3, 5.01, 12}, 5))
                .containsExactly(-5, -5, 0.3, 5, 5);
    }

    @Test
    void clippedRatioObjectiveTakesThePessimisticTermAndCountsClippedRows() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logp = m.create(new float[] {(float) Math.log(1.5), (float) Math.log(0.5), (float) Math.log(1.00005)});
            NDArray old = m.zeros(new Shape(3));
            NDArray adv = m.create(new float[] {1, 1, -2});
            LossResult r = new ClippedRatioLoss(0.2).compute(logp, old, adv);
            // row 0: max(−1.5, −1.2) = −1.2; row 1: max(−0.5, −0.8) = −0.5; row 2: 2 · 1.00005
            assertThat(r.metric("loss")).isCloseTo((-1.2 - 0.5 + 2.0001) / 3, within(1e-5));
            assertThat(r.metric("clipfrac")).isCloseTo(2.0 / 3, within(1e-6));
            double l15 = Math.log(1.5), l05 = Math.log(0.5);
            assertThat(r.metric("approx_kl")).isCloseTo(0.5 * (l15 * l15 + l05 * l05) / 3, within(1e-5));
        }
    }

    @Test
    void clippedRatioObjectiveHasNoGradientWhereTheClippedTermWins() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logp = m.create(new float[] {(float) Math.log(1.5), (float) Math.log(0.5)});
            logp.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                LossResult r = new ClippedRatioLoss(0.2).compute(logp, m.zeros(new Shape(2)), m.create(new float[] {1, 1}));
                gc.backward(r.loss());
            }
            // row 0 is clipped (no gradient); row 1 keeps −A·ρ/N = −0.5/2
            assertThat(logp.getGradient().toFloatArray()).containsExactly(new float[] {0f, -0.25f}, within(1e-6f));
        }
    }

    @Test
    void dpokLossIsTheClampedRatioTermPlusTheWeightedKl() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logp = m.create(new float[] {(float) Math.log(1.5), (float) Math.log(0.5), (float) Math.log(1.00005)});
            NDArray kl = m.create(new float[] {0.1f, 0.3f, 0.2f});
            LossResult r = new DpokLoss(2, 0.2).compute(logp, m.zeros(new Shape(3)), m.create(new float[] {1, 1, -2}), kl);
            // clamp: 1.2, 0.8, 1.00005 → (−1.2 − 0.8 + 2.0001) / 3; KL mean 0.2 · 2
            assertThat(r.metric("policy_loss")).isCloseTo(0.0001 / 3, within(1e-5));
            assertThat(r.metric("loss")).isCloseTo(0.4 + 0.0001 / 3, within(1e-5));
            assertThat(r.metric("kl")).isCloseTo(0.2, within(1e-6));
            assertThat(r.metric("clipfrac")).isCloseTo(2.0 / 3, within(1e-6));
        }
    }

    @Test
    void timestepSubsetsAreDistinctStepsPerRowAndTheSameForTheSameSeed() {
        int[][] a = TimestepSubset.choose(new Random(42), 6, 24, 0.5);
        int[][] b = TimestepSubset.choose(new Random(42), 6, 24, 0.5);
        int[][] c = TimestepSubset.choose(new Random(43), 6, 24, 0.5);
        assertThat(a).isDeepEqualTo(b);
        assertThat(java.util.Arrays.deepEquals(a, c)).isFalse();
        assertThat(a[0]).hasSize(12);
        Set<String> rows = new HashSet<>();
        for (int[] row : a) {
            assertThat(row).doesNotHaveDuplicates();
            assertThat(java.util.Arrays.stream(row).allMatch(k -> k >= 0 && k < 24)).isTrue();
            rows.add(java.util.Arrays.toString(row));
        }
        assertThat(rows).as("each trajectory has its own subset").hasSizeGreaterThan(1);
        assertThat(TimestepSubset.choose(new Random(1), 1, 5, 1.0)[0]).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
        assertThat(TimestepSubset.choose(new Random(1), 1, 5, 0.01)[0]).hasSize(1);
    }

    @Test
    void rowWiseDdimStepMatchesTheSamplersStepAndLogProbability() {
        try (NDManager m = NDManager.newBaseManager()) {
            NoiseSchedule s = NoiseSchedule.linear(1000, 1e-4, 0.02);
            NDArray x = m.randomNormal(new Shape(2, 3, 4, 4));
            NDArray eps = m.randomNormal(new Shape(2, 3, 4, 4));
            NDArray next = m.randomNormal(new Shape(2, 3, 4, 4));
            RowDdimStep rows = RowDdimStep.of(s, x, eps, new int[] {480, 40}, new int[] {440, 0}, 1.0, true);
            for (int i = 0; i < 2; i++) {
                int t = i == 0 ? 480 : 40;
                int prev = i == 0 ? 440 : 0;
                NDArray xi = x.get(i + ":" + (i + 1));
                SamplerStep one = DdimStep.step(s, xi, eps.get(i + ":" + (i + 1)), t, prev, 1.0, true, null);
                assertThat(rows.mean().get(i + ":" + (i + 1)).toFloatArray())
                        .containsExactly(one.mean().toFloatArray(), within(1e-5f));
                assertThat(rows.sigma().getFloat(i)).isCloseTo((float) one.sigma(), within(1e-7f));
                float expected = GaussianLogProb.of(next.get(i + ":" + (i + 1)), one.mean(), one.sigma()).getFloat();
                assertThat(rows.logProbOf(next).getFloat(i)).isCloseTo(expected, within(Math.abs(expected) * 1e-6f));
            }
        }
    }
}
