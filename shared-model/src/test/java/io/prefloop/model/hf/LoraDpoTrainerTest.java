package io.prefloop.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.hf.LoraDpoTrainer.PairLogProbs;
import io.prefloop.model.hf.LoraDpoTrainer.PreferenceIds;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoMetrics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LoRA-DPO on the llama-gqa fixture: the reference is the model with its adapters off. */
class LoraDpoTrainerTest {

    private static final LoraConfig ALL = new LoraConfig(4, 8, 0, LoraConfig.LLAMA_MODULES);
    private static final DpoConfig DPO = DpoConfig.sigmoid(0.1);

    /** Chosen completions repeat a token, rejected ones do not; lengths differ so rows are padded. */
    private static final List<PreferenceIds> PAIRS = List.of(
            new PreferenceIds(new int[] {1, 40, 41}, new int[] {50, 50, 50, 2}, new int[] {60, 61, 62, 2}),
            new PreferenceIds(new int[] {1, 7, 9, 200, 3}, new int[] {70, 70, 2}, new int[] {71, 72, 73, 74, 2}),
            new PreferenceIds(new int[] {1, 5}, new int[] {90, 90, 90, 90, 2}, new int[] {91, 92, 2}));

    @Test
    void firstStepHasZeroRewardsAndLossLogTwo() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = LlamaForCausalLM.load(fixture(), manager);
            model.addLora(ALL, manager, 7);
            LoraDpoTrainer trainer = new LoraDpoTrainer(model, DPO, OptimizerStep.adam(model.lora(), 1e-2f));
            DpoMetrics first = trainer.step(manager, PAIRS);
            System.out.printf("LoRA-DPO first step: %s%n", first.toMap());
            assertThat(first.loss()).isCloseTo(Math.log(2), within(1e-6));
            assertThat(first.rewardsChosen()).isZero();
            assertThat(first.rewardsRejected()).isZero();
            assertThat(first.rewardsMargins()).isZero();
            assertThat(first.rewardsAccuracies()).isZero();
            assertThat(first.logpsChosen()).isLessThan(0);
            assertThat(model.adaptersEnabled()).isTrue();
        }
    }

    @Test
    void tenStepsLowerTheLossSeparateThePairsAndLeaveTheReferenceAlone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = LlamaForCausalLM.load(fixture(), manager);
            Map<String, float[]> base = new HashMap<>();
            model.weights().forEach((name, p) -> base.put(name, p.getArray().toFloatArray()));
            model.addLora(ALL, manager, 7);
            LoraDpoTrainer trainer = new LoraDpoTrainer(model, DPO, OptimizerStep.adam(model.lora(), 1e-2f));
            PairLogProbs refBefore = trainer.referenceLogProbs(manager, PAIRS);

            DpoMetrics first = trainer.step(manager, PAIRS);
            DpoMetrics last = first;
            for (int step = 1; step < 10; step++) {
                last = trainer.step(manager, PAIRS);
            }
            DpoMetrics after = trainer.evaluate(manager, PAIRS);
            System.out.printf("LoRA-DPO: loss %.6f -> %.6f (step 10) -> %.6f (after 10 steps); margins %.4f, "
                    + "rewards/chosen %.4f, rewards/rejected %.4f, accuracies %.2f%n", first.loss(), last.loss(),
                    after.loss(), after.rewardsMargins(), after.rewardsChosen(), after.rewardsRejected(),
                    after.rewardsAccuracies());
            assertThat(last.loss()).isLessThan(first.loss());
            assertThat(after.loss()).isLessThan(last.loss());
            assertThat(after.rewardsMargins()).isGreaterThan(0);
            assertThat(after.rewardsChosen()).isGreaterThan(after.rewardsRejected());
            assertThat(after.rewardsAccuracies()).isEqualTo(1.0);
            assertThat(model.adaptersEnabled()).isTrue();

            // the base weights did not move, bit for bit
            model.weights().forEach((name, p) -> {
                assertThat(p.getArray().hasGradient()).as(name).isFalse();
                assertThat(p.getArray().toFloatArray()).as(name).containsExactly(base.get(name));
            });
            // the reference (adapters off) is unchanged, the policy is not
            PairLogProbs refAfter = trainer.referenceLogProbs(manager, PAIRS);
            assertThat(refAfter.chosen()).containsExactly(refBefore.chosen());
            assertThat(refAfter.rejected()).containsExactly(refBefore.rejected());
            PairLogProbs policy = trainer.policyLogProbs(manager, PAIRS);
            assertThat(policy.chosen()).isNotEqualTo(refAfter.chosen());

            // and it is the freshly loaded model without adapters
            LlamaForCausalLM fresh = LlamaForCausalLM.load(fixture(), manager);
            PairLogProbs plain = LoraDpoTrainer.completionLogProbs(fresh, manager, PAIRS, false);
            double diff = Math.max(maxDiff(plain.chosen(), refAfter.chosen()), maxDiff(plain.rejected(), refAfter.rejected()));
            System.out.printf("LoRA-DPO: max |ref logp (adapters off) - logp (fresh model)| = %.3g%n", diff);
            assertThat(diff).isLessThanOrEqualTo(1e-6);
        }
    }

    @Test
    void aModelWithoutAdaptersIsRefused() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaForCausalLM model = LlamaForCausalLM.load(fixture(), manager);
            assertThatThrownBy(() -> new LoraDpoTrainer(model, DPO, null)).hasMessageContaining("no LoRA adapters");
            assertThatThrownBy(() -> new PreferenceIds(new int[] {1}, new int[] {}, new int[] {2}))
                    .hasMessageContaining("at least one token");
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        return HfFixtures.maxDiff(a, b);
    }

    private static Path fixture() {
        return HfFixtures.dir("llama-gqa");
    }
}
