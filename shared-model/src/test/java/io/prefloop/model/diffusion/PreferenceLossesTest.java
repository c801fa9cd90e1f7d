package io.prefloop.model.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.prefloop.model.labeling.Choice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden values from src/test/resources/diffusion/golden.py. */
class PreferenceLossesTest {

    private static NDArray v(NDManager m, float... x) {
        return m.create(x);
    }

    @Test
    void identicalPolicyAndReferenceGiveLogTwo() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = v(m, 0.3f, 0.1f, 0.7f);
            NDArray l = v(m, 0.2f, 0.4f, 0.7f);
            for (double beta : new double[] {1, 2500}) {
                LossResult r = new DiffusionDpoLoss(beta, DiffusionDpoLoss.Type.SIGMOID).compute(w, l, w, l);
                assertThat(r.metric("loss")).isCloseTo(Math.log(2), within(1e-6));
                assertThat(r.metric("implicit_acc")).isZero(); // a zero margin is not a win
                assertThat(r.metric("rewards/margins")).isZero();
            }
            assertThat(new DiffusionDpoLoss(10, DiffusionDpoLoss.Type.HINGE).compute(w, l, w, l).metric("loss"))
                    .isCloseTo(1.0, within(1e-6));
            assertThat(new DiffusionDpoLoss(10, DiffusionDpoLoss.Type.IPO).compute(w, l, w, l).metric("loss"))
                    .isCloseTo(0.0025, within(1e-7)); // (0 − 1/20)²
        }
    }

    @Test
    void diffusionDpoAtKnownInputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            // model_diff = 0.1 − 0.2 = −0.1, ref_diff = 0 → logits 0.1, β·logits = 1
            NDArray mw = v(m, 0.1f), ml = v(m, 0.2f), rw = v(m, 0.15f), rl = v(m, 0.15f);
            LossResult r = new DiffusionDpoLoss(10, DiffusionDpoLoss.Type.SIGMOID).compute(mw, ml, rw, rl);
            // with an SFT term the loss adds λ·mean(model MSE of the winners); the metrics are unchanged
            LossResult sft = new DiffusionDpoLoss(10, DiffusionDpoLoss.Type.SIGMOID, 2.0).compute(mw, ml, rw, rl);
            assertThat(sft.metric("loss")).isCloseTo(r.metric("loss") + 2.0 * mw.mean().getFloat(), within(1e-5));
            assertThat(sft.metric("implicit_acc")).isEqualTo(r.metric("implicit_acc"));
            assertThat(r.metric("loss")).isCloseTo(0.31326168751822286, within(1e-6));
            assertThat(r.metric("implicit_acc")).isEqualTo(1.0);
            assertThat(r.metric("model_mse")).isCloseTo(0.15, within(1e-7));
            assertThat(r.metric("ref_mse")).isCloseTo(0.15, within(1e-7));
            assertThat(r.metric("rewards/chosen")).isCloseTo(0.5, within(1e-6));
            assertThat(r.metric("rewards/rejected")).isCloseTo(-0.5, within(1e-6));
            assertThat(r.metric("rewards/margins")).isCloseTo(1.0, within(1e-6));
            assertThat(new DiffusionDpoLoss(10, DiffusionDpoLoss.Type.HINGE).compute(mw, ml, rw, rl).metric("loss"))
                    .isCloseTo(0.0, within(1e-6)); // relu(1 − 1)
            assertThat(new DiffusionDpoLoss(10, DiffusionDpoLoss.Type.IPO).compute(mw, ml, rw, rl).metric("loss"))
                    .isCloseTo(0.0025, within(1e-7)); // (0.1 − 0.05)²
        }
    }

    @Test
    void betaConventionMapsToWallaceAndDiffusers() {
        // Wallace et al. train.py: inside = −0.5·β_W·(model_diff − ref_diff); diffusers: β_D·(ref_diff − model_diff)
        double betaW = 5000;
        DiffusionDpoLoss ours = DiffusionDpoLoss.fromWallaceBeta(betaW, DiffusionDpoLoss.Type.SIGMOID);
        assertThat(ours.beta()).isEqualTo(2500.0); // = diffusers' default beta_dpo
        float mw = 0.1000f, ml = 0.1002f, rw = 0.1001f, rl = 0.1001f;
        double inside = -0.5 * betaW * (((double) mw - ml) - ((double) rw - rl));
        double wallace = Math.log1p(Math.exp(-inside));
        try (NDManager m = NDManager.newBaseManager()) {
            double got = ours.compute(v(m, mw), v(m, ml), v(m, rw), v(m, rl)).metric("loss");
            assertThat(got).isCloseTo(wallace, within(1e-4));
        }
    }

    @Test
    void dcoAtKnownInputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            LossResult r = new DcoLoss(5).compute(v(m, 0.1f), v(m, 0.2f)); // inside = −5·(−0.1) = 0.5
            assertThat(r.metric("loss")).isCloseTo(0.4740769841801067, within(1e-6));
            assertThat(r.metric("implicit_acc")).isEqualTo(1.0);
            NDArray same = v(m, 0.3f, 0.5f);
            assertThat(new DcoLoss(1000).compute(same, same).metric("loss")).isCloseTo(Math.log(2), within(1e-6));
        }
    }

    @Test
    void d3poClampsTheRatioAndStopsItsGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray lpW = v(m, 1.05f);
            NDArray lpL = v(m, 0.5f);
            lpW.setRequiresGradient(true);
            lpL.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // log r_w = 0.05 (inside log 1.1), log r_l = −0.5 → clamped to log 0.9
                LossResult r = new D3poLoss(0.1, 0.1).compute(lpW, v(m, 1.0f), lpL, v(m, 1.0f));
                assertThat(r.metric("loss")).isCloseTo(0.6854093255859087, within(1e-6));
                gc.backward(r.loss());
            }
            assertThat(lpW.getGradient().getFloat(0)).isLessThan(0f);
            assertThat(lpL.getGradient().getFloat(0)).isZero();
        }
    }

    @Test
    void tiesAreNeverWins() {
        List<PreferencePair<String>> pairs = List.of(
                new PreferencePair<>("x", "y", Choice.A),
                new PreferencePair<>("p", "q", Choice.TIE),
                new PreferencePair<>("u", "v", Choice.B));
        assertThat(PreferencePair.decisive(pairs)).containsExactly(
                new PreferencePair.Ordered<>("x", "y"), new PreferencePair.Ordered<>("v", "u"));
        assertThat(new PreferencePair<>("p", "q", Choice.TIE).ordered()).isEmpty();
    }
}
