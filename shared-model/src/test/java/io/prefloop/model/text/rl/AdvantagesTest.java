package io.prefloop.model.text.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** GAE, whitening, KL reward shaping and RLOO's leave-one-out baseline against values worked out by hand. */
class AdvantagesTest {

    @Test
    void gaeRunsBackwardsFromATerminalState() {
        float[] rewards = {0, 0, 1};
        float[] values = {0.5f, 0.2f, 0.1f};
        // γ = 1, λ = 0.95: δ = (−0.3, −0.1, 0.9); A₂ = 0.9, A₁ = −0.1 + 0.95·0.9, A₀ = −0.3 + 0.95·A₁
        float[] a = new Gae(1, 0.95).advantages(rewards, values);
        assertThat(a[2]).isCloseTo(0.9f, within(1e-6f));
        assertThat(a[1]).isCloseTo(0.755f, within(1e-6f));
        assertThat(a[0]).isCloseTo(0.41725f, within(1e-6f));
        float[] r = Gae.returns(a, values);
        assertThat(r[0]).isCloseTo(0.91725f, within(1e-6f));
        assertThat(r[2]).isCloseTo(1.0f, within(1e-6f));

        // γ = 0.9, λ = 0.5: δ = (0.9·0.2 − 0.5, 0.9·0.1 − 0.2, 1 − 0.1) = (−0.32, −0.11, 0.9)
        float[] b = new Gae(0.9, 0.5).advantages(rewards, values);
        assertThat(b[1]).isCloseTo(-0.11f + 0.45f * 0.9f, within(1e-6f));
        assertThat(b[0]).isCloseTo(-0.32f + 0.45f * (-0.11f + 0.45f * 0.9f), within(1e-6f));
    }

    @Test
    void whiteningUsesEveryTokenOfTheBatchAndTheUnbiasedVariance() {
        // tokens 1, 2, 3: mean 2, unbiased variance (1 + 0 + 1) / 2 = 1
        float[][] w = Whitening.whiten(new float[][] {{1, 2}, {3}}, true);
        assertThat(w[0][0]).isCloseTo(-1f, within(1e-6f));
        assertThat(w[0][1]).isCloseTo(0f, within(1e-6f));
        assertThat(w[1][0]).isCloseTo(1f, within(1e-6f));
        float[][] kept = Whitening.whiten(new float[][] {{1, 2}, {3}}, false);
        assertThat(kept[1][0]).isCloseTo(3f, within(1e-6f));
        // scale: tokens 0, 4 have unbiased variance 8
        float[][] s = Whitening.whiten(new float[][] {{0}, {4}}, true);
        assertThat(s[1][0]).isCloseTo((float) (2 / Math.sqrt(8)), within(1e-6f));
    }

    @Test
    void klShapingPenalisesEachTokenAndAddsTheScoreAtTheLast() {
        float[] logProbs = {-1, -2, -0.5f};
        float[] ref = {-1.5f, -1, -0.5f};
        // k1 = (0.5, −1, 0); rewards = −0.1·k1, plus the score 2 at the last token
        assertThat(KlPenalty.kl(logProbs, ref)).containsExactly(0.5f, -1f, 0f);
        float[] rewards = KlPenalty.rewards(logProbs, ref, 2, 0.1);
        assertThat(rewards[0]).isCloseTo(-0.05f, within(1e-6f));
        assertThat(rewards[1]).isCloseTo(0.1f, within(1e-6f));
        assertThat(rewards[2]).isCloseTo(2f, within(1e-6f));
        assertThat(KlPenalty.sum(logProbs, ref)).isCloseTo(-0.5, within(1e-6));
    }

    @Test
    void leaveOneOutComparesEachSampleWithTheOthersOfItsPrompt() {
        // prompt 0: rewards 1, 2, 6 (sum 9): 1 − 8/2, 2 − 7/2, 6 − 3/2; prompt 1: 4, 4, 1: 4 − 5/2, 4 − 5/2, 1 − 8/2
        double[] a = LeaveOneOut.advantages(new double[] {1, 2, 6, 4, 4, 1}, 3);
        assertThat(a).containsExactly(new double[] {-3, -1.5, 4.5, 1.5, 1.5, -3}, within(1e-12));
        assertThat(LeaveOneOut.advantages(new double[] {0.5, -0.5}, 2)).containsExactly(1.0, -1.0);
        // mean 0, unbiased std √2
        assertThat(LeaveOneOut.normalized(new double[] {1, -1}))
                .containsExactly(new double[] {1 / Math.sqrt(2), -1 / Math.sqrt(2)}, within(1e-7));
        assertThatThrownBy(() -> LeaveOneOut.advantages(new double[] {1, 2, 3}, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void adaptiveKlControllerMovesTowardsTheTargetByAtMostTwentyPercentOfNOverHorizon() {
        AdaptiveKlController kl = new AdaptiveKlController(0.2, 6, 10_000);
        kl.update(9, 64); // error clipped from 0.5 to 0.2: β·(1 + 0.2·64/10,000)
        assertThat(kl.value()).isCloseTo(0.2 * 1.00128, within(1e-12));
        kl.update(3, 100); // error clipped from −0.5 to −0.2
        assertThat(kl.value()).isCloseTo(0.2 * 1.00128 * 0.998, within(1e-12));
        kl.update(5.4, 1000); // error −0.1, unclipped
        assertThat(kl.value()).isCloseTo(0.2 * 1.00128 * 0.998 * 0.99, within(1e-12));
        kl.update(6, 1000); // on target: unchanged
        assertThat(kl.value()).isCloseTo(0.2 * 1.00128 * 0.998 * 0.99, within(1e-12));

        FixedKlController fixed = new FixedKlController(0.05);
        fixed.update(100, 1000);
        assertThat(fixed.value()).isEqualTo(0.05);
    }
}
