package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * Two pairs, β = 0.1:
 * pair 1: π(c) = −1, π(r) = −3, ref(c) = −2, ref(r) = −2.5 → Δ = 2 − 0.5 = 1.5
 * pair 2: π(c) = −4, π(r) = −2, ref(c) = −3, ref(r) = −3   → Δ = −2
 * Expected values computed by hand (Python's math module), not by the code under test.
 */
class DpoLossTest {

    private static final double TOL = 1e-6;

    private DpoLoss.Result run(NDManager manager, DpoConfig config) {
        return new DpoLoss(config).compute(
                manager.create(new float[] {-1, -4}),
                manager.create(new float[] {-3, -2}),
                manager.create(new float[] {-2, -3}),
                manager.create(new float[] {-2.5f, -3}));
    }

    @Test
    void sigmoid() {
        try (NDManager m = NDManager.newBaseManager()) {
            // mean(−log σ(0.15), −log σ(−0.2)) = mean(0.620957, 0.798139)
            assertThat(run(m, DpoConfig.sigmoid(0.1)).metrics().loss()).isCloseTo(0.709547958585562, within(TOL));
        }
    }

    @Test
    void sigmoidWithLabelSmoothing_isCdpo() {
        try (NDManager m = NDManager.newBaseManager()) {
            // −0.9·log σ(βΔ) − 0.1·log σ(−βΔ), averaged
            assertThat(run(m, new DpoConfig(0.1, DpoLossType.SIGMOID, 0.1)).metrics().loss())
                    .isCloseTo(0.707047958585562, within(TOL));
        }
    }

    @Test
    void hinge() {
        try (NDManager m = NDManager.newBaseManager()) {
            // relu(1 − 0.15) = 0.85, relu(1 + 0.2) = 1.2
            assertThat(run(m, new DpoConfig(0.1, DpoLossType.HINGE, 0)).metrics().loss()).isCloseTo(1.025, within(TOL));
        }
    }

    @Test
    void ipo() {
        try (NDManager m = NDManager.newBaseManager()) {
            // (1.5 − 5)² = 12.25, (−2 − 5)² = 49 (inputs taken as already length-normalised)
            assertThat(run(m, new DpoConfig(0.1, DpoLossType.IPO, 0)).metrics().loss()).isCloseTo(30.625, within(1e-4));
        }
    }

    @Test
    void robust() {
        try (NDManager m = NDManager.newBaseManager()) {
            // [−0.9·log σ(βΔ) + 0.1·log σ(−βΔ)] / 0.8, averaged
            assertThat(run(m, new DpoConfig(0.1, DpoLossType.ROBUST, 0.1)).metrics().loss())
                    .isCloseTo(0.712672958585562, within(TOL));
        }
    }

    @Test
    void robustWithoutSmoothingEqualsSigmoid() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(run(m, new DpoConfig(0.1, DpoLossType.ROBUST, 0)).metrics().loss())
                    .isCloseTo(run(m, DpoConfig.sigmoid(0.1)).metrics().loss(), within(TOL));
        }
    }

    @Test
    void rpoAddsAlphaTimesTheChosenNll() {
        try (NDManager m = NDManager.newBaseManager()) {
            DpoLoss.Result r = new DpoLoss(DpoConfig.sigmoid(0.1).withRpoAlpha(0.5)).compute(
                    m.create(new float[] {-1, -4}), m.create(new float[] {-3, -2}),
                    m.create(new float[] {-2, -3}), m.create(new float[] {-2.5f, -3}), m.create(2f));
            // 0.709548 + 0.5 · 2
            assertThat(r.metrics().loss()).isCloseTo(1.709547958585562, within(TOL));
            assertThat(r.metrics().toMap()).containsEntry("nll_loss", 2.0);
            assertThat(run(m, DpoConfig.sigmoid(0.1)).metrics().toMap()).doesNotContainKey("nll_loss");
        }
    }

    @Test
    void trlMetrics() {
        try (NDManager m = NDManager.newBaseManager()) {
            DpoMetrics metrics = run(m, DpoConfig.sigmoid(0.1)).metrics();
            // rewards chosen 0.1·(−1+2) = 0.1 and 0.1·(−4+3) = −0.1; rejected 0.1·(−3+2.5) = −0.05 and 0.1·(−2+3) = 0.1
            assertThat(metrics.rewardsChosen()).isCloseTo(0.0, within(TOL));
            assertThat(metrics.rewardsRejected()).isCloseTo(0.025, within(TOL));
            assertThat(metrics.rewardsAccuracies()).isCloseTo(0.5, within(TOL));
            assertThat(metrics.rewardsMargins()).isCloseTo(-0.025, within(TOL));
            assertThat(metrics.logpsChosen()).isCloseTo(-2.5, within(TOL));
            assertThat(metrics.logpsRejected()).isCloseTo(-2.5, within(TOL));
            assertThat(metrics.toMap()).containsKeys("rewards/chosen", "rewards/rejected", "rewards/accuracies",
                    "rewards/margins", "logps/chosen", "logps/rejected");
        }
    }

    @Test
    void equalRewardsAreNotAccurate() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray same = m.create(new float[] {-1});
            DpoMetrics metrics = new DpoLoss(DpoConfig.sigmoid(0.1)).compute(same, same, same, same).metrics();
            assertThat(metrics.rewardsAccuracies()).isZero();
            assertThat(metrics.loss()).isCloseTo(Math.log(2), within(TOL));
        }
    }

    @Test
    void gradientGoesToThePolicyOnly_notToTheReference() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pc = m.create(new float[] {-1, -4});
            NDArray pr = m.create(new float[] {-3, -2});
            NDArray rc = m.create(new float[] {-2, -3});
            NDArray rr = m.create(new float[] {-2.5f, -3});
            for (NDArray a : new NDArray[] {pc, pr, rc, rr}) {
                a.setRequiresGradient(true);
            }
            try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                collector.backward(new DpoLoss(DpoConfig.sigmoid(0.1)).compute(pc, pr, rc, rr).loss());
            }
            // ∂/∂π(c) of mean −log σ(βΔ) = −β·σ(−βΔ)/B
            float[] grad = pc.getGradient().toFloatArray();
            assertThat((double) grad[0]).isCloseTo(-0.023128507732812525, within(1e-6));
            assertThat((double) grad[1]).isCloseTo(-0.0274916998656239, within(1e-6));
            assertThat(pr.getGradient().toFloatArray()[0]).isCloseTo(-grad[0], within(1e-7f));
            assertThat(rc.getGradient().abs().sum().getFloat()).isZero();
            assertThat(rr.getGradient().abs().sum().getFloat()).isZero();
        }
    }

    @Test
    void hingeHasNoGradientBeyondTheMargin() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray pc = m.create(new float[] {0});
            pc.setRequiresGradient(true);
            NDArray zero = m.create(new float[] {0});
            NDArray low = m.create(new float[] {-20}); // βΔ = 2 > 1
            try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                DpoLoss.Result r = new DpoLoss(new DpoConfig(0.1, DpoLossType.HINGE, 0)).compute(pc, low, zero, zero);
                assertThat(r.metrics().loss()).isZero();
                collector.backward(r.loss());
            }
            assertThat(pc.getGradient().getFloat(0)).isZero();
        }
    }

    @Test
    void rejectsSettingsTrlRejects() {
        assertThatThrownBy(() -> new DpoConfig(0, DpoLossType.SIGMOID, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DpoConfig(0.1, DpoLossType.ROBUST, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DpoConfig(0.1, DpoLossType.IPO, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(DpoLossType.fromTrlName("ipo")).isEqualTo(DpoLossType.IPO);
    }
}
