package io.prefloop.model.text.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.Generation;
import io.prefloop.model.text.LanguageModels;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.model.text.TransformerSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A few PPO and RLOO steps with a real (tiny) model on a rule reward. */
class RlTrainersTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final TransformerSpec SPEC = new TransformerSpec(TOKENIZER.vocabSize(), 32, 16, 2, 1, 32);
    private static final List<String> PROMPTS = List.of("Q: sky?", "Q: grass?", "Q: sun?", "Q: sea?");

    /** Share of sampled ids below 128 (ASCII): about half for an untrained model. */
    private static final RewardFunction ASCII = (manager, prompts, completions) -> completions.stream()
            .mapToDouble(RlTrainersTest::asciiShare).toArray();

    private static double asciiShare(Generation g) {
        int ascii = 0;
        for (int t : g.tokens()) {
            ascii += t < 128 ? 1 : 0;
        }
        return ascii / (double) g.tokens().length;
    }

    @Test
    void ppoStepsRaiseTheScore_theFirstUpdateHasRatioOne_andTheValueHeadIsTrained() {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm lm = TransformerLm.create(SPEC, manager);
            TransformerLm reference = LanguageModels.frozenCopy(lm, manager);
            PolicyWithValueHead model = new PolicyWithValueHead(lm, manager);
            assertThat(model.getParameters().keys()).anyMatch(k -> k.contains("value_head"));
            float[] valueHeadBefore = valueHead(model);
            RolloutSampler sampler = new RolloutSampler(lm, model, reference, TOKENIZER, ASCII,
                    new RolloutSampler.Sampling(8, 1.0, 0));

            // one epoch, one minibatch: the update's policy is the rollout policy, so ρ = 1 exactly
            PpoTrainer single = new PpoTrainer(model, sampler, new FixedKlController(0.05),
                    new PpoConfig(1, 1, 0.2, 0.2, 0.1, 1, 0.95), OptimizerStep.adam(model, 0f), TOKENIZER);
            Map<String, Double> first = single.step(manager, repeat(4), 1);
            assertThat(first.get("val/ratio")).isCloseTo(1.0, within(1e-5));
            assertThat(first.get("policy/approxkl_avg")).isCloseTo(0.0, within(1e-9));
            assertThat(first.get("policy/clipfrac_avg")).isEqualTo(0.0);
            assertThat(first.get("objective/kl")).as("policy = reference").isCloseTo(0.0, within(1e-5));

            AdaptiveKlController kl = new AdaptiveKlController(0.05, 1, 100);
            PpoTrainer trainer = new PpoTrainer(model, sampler, kl, PpoConfig.trl(), OptimizerStep.adam(model, 2e-2f),
                    TOKENIZER);
            double start = 0;
            double end = 0;
            int steps = 16;
            for (int step = 1; step <= steps; step++) {
                Map<String, Double> m = trainer.step(manager, repeat(8), 100 + step);
                for (String key : List.of("objective/kl", "loss/policy_avg", "loss/value_avg", "val/clipfrac_avg",
                        "policy/entropy_avg", "objective/rlhf_reward")) {
                    assertThat(m.get(key)).as(key).isFinite();
                }
                start += step <= 3 ? m.get("objective/scores") / 3 : 0;
                end += step > steps - 3 ? m.get("objective/scores") / 3 : 0;
            }
            // a batch's mean score varies by about 0.05 (32 rollouts): +0.08 over three batches each is
            // well outside the noise; runs measured +0.14 to +0.2
            assertThat(end).as("mean score of the last three batches against the first three").isGreaterThan(start + 0.08);
            assertThat(kl.value()).as("KL above the target 1 raised β").isGreaterThan(0.05);
            assertThat(valueHead(model)).isNotEqualTo(valueHeadBefore);
        }
    }

    @Test
    void rlooStepsRaiseTheScore() {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm lm = TransformerLm.create(SPEC, manager);
            TransformerLm reference = LanguageModels.frozenCopy(lm, manager);
            RolloutSampler sampler = new RolloutSampler(lm, null, reference, TOKENIZER, ASCII,
                    new RolloutSampler.Sampling(8, 1.0, 0));
            RlooTrainer trainer = new RlooTrainer(lm, sampler, new RlooConfig(4, 0.05, 4, 1, 0.2, true),
                    OptimizerStep.adam(lm, 2e-2f), TOKENIZER);
            double start = 0;
            double end = 0;
            int steps = 10;
            for (int step = 1; step <= steps; step++) {
                Map<String, Double> m = trainer.step(manager, repeat(2), 100 + step);
                assertThat(m).doesNotContainKey("loss/value_avg");
                start += step <= 2 ? m.get("objective/scores") / 2 : 0;
                end += step > steps - 2 ? m.get("objective/scores") / 2 : 0;
            }
            assertThat(end).isGreaterThan(start + 0.15);
        }
    }

    private static List<String> repeat(int times) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < times; i++) {
            out.addAll(PROMPTS);
        }
        return out;
    }

    private static float[] valueHead(PolicyWithValueHead model) {
        return BlockWeights.of(model).get(BlockWeights.of(model).size() - 2).toFloatArray();
    }
}
