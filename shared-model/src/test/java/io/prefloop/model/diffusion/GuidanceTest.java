package io.prefloop.model.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuidanceTest {

    @Test
    void formulasAtHandComputedValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray uncond = m.create(new float[] {1f});
            NDArray refCond = m.create(new float[] {3f});
            NDArray policy = m.create(new float[] {5f});
            assertThat(Guidance.cfg(uncond, refCond, 2.5).getFloat(0)).isEqualTo(6f); // 1 + 2.5·2
            // 1 + 2·(3 − 1) + 0.5·(5 − 3)
            assertThat(Guidance.rewardGuided(policy, refCond, uncond, 2, 0.5).getFloat(0)).isEqualTo(6f);
            // w_rg = 0 is CFG on the reference
            assertThat(Guidance.rewardGuided(policy, refCond, uncond, 2, 0).getFloat(0)).isEqualTo(5f);
        }
    }

    /** A fake network that records each call's batch size and is easy to compute by hand. */
    static final class FakeNet implements EpsilonNetwork {
        final float scale;
        final List<Long> calls = new ArrayList<>();

        FakeNet(float scale) {
            this.scale = scale;
        }

        @Override
        public NDArray predict(ParameterStore ps, NDArray xt, NDArray t, NDArray tokens, NDArray useNull, boolean training) {
            calls.add(xt.getShape().get(0));
            // ε = scale·x + (token sum, or 100 for ∅), per sample
            NDArray tok = tokens.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).sum(new int[] {1});
            NDArray cond = tok.mul(useNull.neg().add(1)).add(useNull.mul(100));
            return xt.mul(scale).add(Tensors.perSample(cond, xt));
        }
    }

    @Test
    void batchedGuidanceEqualsBranchByBranchAtAnyBatchSize() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 3;
            NDArray x = m.arange(n * 2 * 2 * 2f).reshape(n, 2, 2, 2);
            NDArray t = m.create(new int[] {5, 5, 5});
            NDArray tokens = m.create(new int[] {1, 2, 3, 4, 5, 6}, new Shape(n, 2)); // sums 3, 7, 11
            ParameterStore ps = new ParameterStore(m, false);
            FakeNet ref = new FakeNet(1f);
            FakeNet policy = new FakeNet(2f);

            NDArray cfg = GuidedEpsilon.cfg(ref, ps, x, t, tokens, null, 3.0);
            assertThat(ref.calls).containsExactly(6L); // one pass over 2N rows
            // ε_cond = x + s, ε_∅ = x + 100 → ε̂ = x + 100 + 3·(s − 100)
            float[] got = cfg.toFloatArray();
            float[] xs = x.toFloatArray();
            float[] sums = {3, 7, 11};
            for (int i = 0; i < got.length; i++) {
                float s = sums[i / 8];
                assertThat(got[i]).isCloseTo(xs[i] + 100 + 3 * (s - 100), offset(1e-3f));
            }

            ref.calls.clear();
            NDArray rg = GuidedEpsilon.rewardGuided(policy, ref, ps, x, t, tokens, null, 3.0, 0.5);
            assertThat(ref.calls).containsExactly(6L);
            assertThat(policy.calls).containsExactly(3L); // two passes in all
            float[] rgv = rg.toFloatArray();
            for (int i = 0; i < rgv.length; i++) {
                float s = sums[i / 8];
                float refCond = xs[i] + s;
                float expected = xs[i] + 100 + 3 * (s - 100) + 0.5f * ((2 * xs[i] + s) - refCond);
                assertThat(rgv[i]).isCloseTo(expected, offset(1e-3f));
            }

            ref.calls.clear();
            policy.calls.clear();
            GuidedEpsilon.rewardGuided(policy, ref, ps, x, t, tokens, null, 3.0, 0);
            assertThat(policy.calls).isEmpty(); // w_rg = 0 skips the policy
            GuidedEpsilon.rewardGuided(policy, ref, ps, x, t, tokens, null, 1.0, 1.0);
            assertThat(ref.calls).containsExactly(6L, 3L); // w_text = 1 skips the ∅ rows
        }
    }

    @Test
    void negativePromptReplacesTheNullBranch() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(1, 1, 1, 1));
            NDArray t = m.create(new int[] {5});
            NDArray tokens = m.create(new int[] {2}, new Shape(1, 1));
            NDArray neg = m.create(new int[] {7}, new Shape(1, 1));
            NDArray cfg = GuidedEpsilon.cfg(new FakeNet(1f), new ParameterStore(m, false), x, t, tokens, neg, 2.0);
            assertThat(cfg.getFloat(0, 0, 0, 0)).isEqualTo(7f + 2f * (2f - 7f));
        }
    }
}
