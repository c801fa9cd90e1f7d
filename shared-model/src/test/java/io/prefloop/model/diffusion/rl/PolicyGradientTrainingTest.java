package io.prefloop.model.diffusion.rl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.diffusion.UNetSpec;
import io.prefloop.model.nn.OptimizerStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A few real DDPO and DPOK rounds on a tiny UNet raise a trivial reward: mean brightness. */
class PolicyGradientTrainingTest {

    private static final SamplerSettings SAMPLING = SamplerSettings.ddim(5, 2).withEta(1);
    private static final List<String> PROMPTS = List.of("a red circle", "a blue square");

    static UNetSpec tiny() {
        return new UNetSpec(8, 3, List.of(8, 16), 1, false, 2, 4, 16,
                List.of("<pad>", "<unk>", "a", "red", "blue", "circle", "square"), 4, "linear", 100);
    }

    /** Brightness on a scale where DPOK's raw-reward advantages are not lost in the value function's start-up error. */
    private static final RewardFunction BRIGHTER = (images, prompts) -> {
        double[] r = new BrightnessReward().score(images, prompts);
        for (int i = 0; i < r.length; i++) {
            r[i] *= 20;
        }
        return r;
    };

    private static List<String> prompts(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(PROMPTS.get(i % PROMPTS.size()));
        }
        return out;
    }

    private static long[] seeds(long base, int n) {
        long[] s = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = base + i;
        }
        return s;
    }

    private static double brightness(UNet net, NDManager m) {
        return Rollout.sample(net, m, prompts(16), seeds(9_000, 16), SAMPLING, new BrightnessReward()).meanReward();
    }

    @Test
    void ddpoRaisesMeanBrightnessAndLeavesTheReferenceAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            UNet policy = UNet.create(tiny(), m);
            UNet reference = UNet.create(tiny(), m);
            BlockWeights.load(reference, BlockWeights.of(policy));
            reference.freezeParameters(true);
            float[] refBefore = reference.getParameters().valueAt(0).getArray().toFloatArray();
            double before = brightness(policy, m);
            DdpoTrainer trainer = new DdpoTrainer(policy, reference, OptimizerStep.adam(policy, 1e-2f),
                    new DdpoConfig(16, 1, 1.0, 1e-4, 5), m);
            PerPromptStatTracker tracker = new PerPromptStatTracker(16, 4);
            Random rng = new Random(1);
            Map<String, Double> last = Map.of();
            for (int round = 0; round < 10; round++) {
                Rollout r = Rollout.sample(policy, m, prompts(16), seeds(100L * round, 16), SAMPLING, new BrightnessReward());
                last = trainer.train(r, tracker.update(r.prompts(), r.rewards()), rng);
            }
            double after = brightness(policy, m);
            assertThat(after).as("brightness %.4f -> %.4f", before, after).isGreaterThan(before + 0.05);
            assertThat(last).containsKeys("loss", "clipfrac", "approx_kl", "step_mse", "step_mse_ref", "kl");
            assertThat(last.get("kl")).isPositive();
            assertThat(reference.getParameters().valueAt(0).getArray().toFloatArray()).containsExactly(refBefore);
            assertThat(TrajectoryKl.of(policy, reference, Rollout.sample(policy, m, prompts(4), seeds(5, 4), SAMPLING,
                    new BrightnessReward()), m)).isPositive();
        }
    }

    @Test
    void dpokRaisesMeanBrightnessAndFitsItsValueFunction() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            UNet policy = UNet.create(tiny(), m);
            UNet reference = UNet.create(tiny(), m);
            BlockWeights.load(reference, BlockWeights.of(policy));
            reference.freezeParameters(true);
            ValueNetwork value = ValueNetwork.create(3 * 8 * 8, 7, SAMPLING.steps(), 32, m);
            PolicyWithValue both = new PolicyWithValue(policy, value);
            double before = brightness(policy, m);
            DpokTrainer trainer = new DpokTrainer(both, reference, OptimizerStep.adam(both, 1e-2f),
                    new DpokLoss(0.01, 1e-4), new DpokConfig(16, 1, 1.0, 32), m);
            Random rng = new Random(1);
            List<Double> valueLoss = new ArrayList<>();
            double firstVariance = 0;
            for (int round = 0; round < 10; round++) {
                Rollout r = Rollout.sample(policy, m, prompts(16), seeds(100L * round, 16), SAMPLING, BRIGHTER);
                if (round == 0) {
                    double mean = r.meanReward();
                    for (double x : r.rewards()) {
                        firstVariance += (x - mean) * (x - mean) / r.size();
                    }
                }
                valueLoss.add(trainer.train(r, rng).get("value_loss"));
            }
            double after = brightness(policy, m);
            assertThat(after).as("brightness %.4f -> %.4f", before, after).isGreaterThan(before + 0.02); // the KL term holds it nearer the start than DDPO
            // V starts at the first batch's mean reward, so its first regression error is that batch's variance
            // (states are drawn with replacement: within sampling error of it)
            assertThat(valueLoss.get(0)).as("value loss %s, variance %s", valueLoss, firstVariance)
                    .isBetween(0.5 * firstVariance, 1.5 * firstVariance);
            assertThat(value.getParameters().get("w3").getArray().abs().sum().getFloat()).as("the value head trained")
                    .isPositive();
            for (Parameter p : value.getParameters().values()) {
                assertThat(p.requiresGradient()).isTrue();
            }
        }
    }
}
