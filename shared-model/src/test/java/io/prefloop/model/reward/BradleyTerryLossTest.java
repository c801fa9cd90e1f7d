package io.prefloop.model.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * Pairs (r_c, r_r) = (1, 0) and (0.5, 1); a third pair (2, 2) is a tie where a test says so.
 * Expected values computed by hand (softplus(z) = log(1 + e^z)).
 */
class BradleyTerryLossTest {

    private static final double TOL = 1e-6;

    private static BradleyTerryLoss.Result run(NDManager m, BradleyTerryLoss loss, float[] margins, boolean withTie) {
        float[] c = withTie ? new float[] {1, 0.5f, 2} : new float[] {1, 0.5f};
        float[] r = withTie ? new float[] {0, 1, 2} : new float[] {0, 1};
        boolean[] ties = withTie ? new boolean[] {false, false, true} : null;
        return loss.compute(m.create(c), m.create(r), margins, ties);
    }

    @Test
    void plainLossAndTrlMetrics() {
        try (NDManager m = NDManager.newBaseManager()) {
            RewardMetrics metrics = run(m, new BradleyTerryLoss(TiePolicy.DROP, 0), null, false).metrics();
            // mean(softplus(−1), softplus(0.5)) = mean(0.313262, 0.974077)
            assertThat(metrics.loss()).isCloseTo(0.6436693358491647, within(TOL));
            assertThat(metrics.accuracy()).isEqualTo(0.5);
            assertThat(metrics.margin()).isCloseTo(0.25, within(TOL));
            assertThat(metrics.minReward()).isEqualTo(0);
            assertThat(metrics.maxReward()).isEqualTo(1);
            assertThat(metrics.meanReward()).isCloseTo(0.625, within(TOL));
            assertThat(metrics.toMap()).containsKeys("accuracy", "margin", "min_reward", "mean_reward", "max_reward");
        }
    }

    @Test
    void marginIsSubtractedFromTheDifference() {
        try (NDManager m = NDManager.newBaseManager()) {
            // −log σ(1 − 0.5 − 0) and −log σ(0.5 − 1 − 0): mean(softplus(−0.5), softplus(0.5))
            double loss = run(m, new BradleyTerryLoss(TiePolicy.DROP, 0), new float[] {0.5f, 0}, false).metrics().loss();
            assertThat(loss).isCloseTo(0.7240769841801067, within(TOL));
        }
    }

    @Test
    void centringAddsTheMeanSquaredSum() {
        try (NDManager m = NDManager.newBaseManager()) {
            // + 0.01 · mean((1 + 0)², (0.5 + 1)²) = 0.01 · 1.625
            double loss = run(m, new BradleyTerryLoss(TiePolicy.DROP, 0.01), null, false).metrics().loss();
            assertThat(loss).isCloseTo(0.6599193358491647, within(TOL));
        }
    }

    @Test
    void droppedTiesChangeNothing() {
        try (NDManager m = NDManager.newBaseManager()) {
            RewardMetrics metrics = run(m, new BradleyTerryLoss(TiePolicy.DROP, 0), null, true).metrics();
            assertThat(metrics.loss()).isCloseTo(0.6436693358491647, within(TOL));
            assertThat(metrics.pairs()).isEqualTo(2);
            assertThat(metrics.maxReward()).isEqualTo(1);
        }
    }

    @Test
    void halfWinTiesAddLn2AtEqualRewards_butNeverCountAsAccurate() {
        try (NDManager m = NDManager.newBaseManager()) {
            RewardMetrics metrics = run(m, new BradleyTerryLoss(TiePolicy.HALF, 0), null, true).metrics();
            // (0.313262 + 0.974077 + ½·(softplus(0) + softplus(0))) / 3
            assertThat(metrics.loss()).isCloseTo(0.6601619507527583, within(TOL));
            assertThat(metrics.accuracy()).isEqualTo(0.5);
            assertThat(metrics.pairs()).isEqualTo(3);
        }
    }

    @Test
    void aTiePullsTheTwoRewardsTogether() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {2});
            NDArray b = m.create(new float[] {1});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                collector.backward(new BradleyTerryLoss(TiePolicy.HALF, 0).compute(a, b, null, new boolean[] {true}).loss());
            }
            // ∂/∂r_a ½(softplus(−d) + softplus(d)) = ½(σ(d) − σ(−d)) with d = 1
            double expected = 0.5 * (1 / (1 + Math.exp(-1)) - 1 / (1 + Math.exp(1)));
            assertThat((double) a.getGradient().getFloat(0)).isCloseTo(expected, within(1e-6));
            assertThat((double) b.getGradient().getFloat(0)).isCloseTo(-expected, within(1e-6));
        }
    }

    @Test
    void onlyDroppedTiesIsAnError() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> new BradleyTerryLoss(TiePolicy.DROP, 0)
                    .compute(m.create(new float[] {1}), m.create(new float[] {1}), null, new boolean[] {true}))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
