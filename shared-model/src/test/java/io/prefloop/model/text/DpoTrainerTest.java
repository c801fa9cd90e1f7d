package io.prefloop.model.text;

import io.prefloop.model.nn.OptimizerStep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DpoTrainerTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final TransformerSpec SPEC = new TransformerSpec(TOKENIZER.vocabSize(), 32, 16, 2, 1, 32);
    private static final List<TextPreference> PAIRS = List.of(
            new TextPreference("Q: sky?", " It is blue.", " blue lol"),
            new TextPreference("Q: grass?", " It is green.", " green!!"));

    @Test
    void firstStepFromTheReferenceHasLossLn2_andTheReferenceGetsNoGradientNorUpdate() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm policy = TransformerLm.create(SPEC, manager);
            TransformerLm reference = LanguageModels.frozenCopy(policy, manager);
            List<float[]> before = values(reference);
            DpoTrainer trainer = new DpoTrainer(policy, reference, TOKENIZER, DpoConfig.sigmoid(0.1),
                    OptimizerStep.adam(policy, 1e-2f));

            DpoMetrics first = trainer.step(manager, PAIRS);
            assertThat(first.loss()).isCloseTo(Math.log(2), within(1e-5));
            assertThat(first.rewardsMargins()).isCloseTo(0, within(1e-6));

            for (Pair<String, Parameter> p : reference.getParameters()) {
                assertThat(p.getValue().requiresGradient()).as(p.getKey()).isFalse();
                assertThat(p.getValue().getArray().hasGradient()).as(p.getKey()).isFalse();
            }
            List<float[]> after = values(reference);
            for (int i = 0; i < before.size(); i++) {
                assertThat(after.get(i)).isEqualTo(before.get(i));
            }
            assertThat(values(policy).get(0)).isNotEqualTo(before.get(0));
        }
    }

    @Test
    void trainingRaisesTheMargin_andPrecomputedReferenceMatchesTheLiveOne() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm policy = TransformerLm.create(SPEC, manager);
            TransformerLm reference = LanguageModels.frozenCopy(policy, manager);
            TransformerLm twin = LanguageModels.copy(policy, manager);
            List<ReferenceLogProbs> precomputed = DpoTrainer.precompute(manager, reference, TOKENIZER, PAIRS, 1);

            DpoTrainer live = new DpoTrainer(policy, reference, TOKENIZER, DpoConfig.sigmoid(0.1), OptimizerStep.adam(policy, 1e-2f));
            DpoTrainer offline = new DpoTrainer(twin, null, TOKENIZER, DpoConfig.sigmoid(0.1), OptimizerStep.adam(twin, 1e-2f));
            DpoMetrics last = null;
            for (int i = 0; i < 10; i++) {
                DpoMetrics a = live.step(manager, PAIRS);
                DpoMetrics b = offline.step(manager, PAIRS, precomputed);
                assertThat(b.loss()).isCloseTo(a.loss(), within(1e-3));
                last = a;
            }
            assertThat(last.rewardsMargins()).isGreaterThan(0.1);
            assertThat(last.rewardsAccuracies()).isEqualTo(1.0);
            assertThat(last.loss()).isLessThan(Math.log(2));

            String before = java.util.Arrays.toString(io.prefloop.model.checkpoint.BlockWeights.of(policy).get(0).toFloatArray());
            var heldOut = live.evaluate(manager, PAIRS);
            assertThat(heldOut.get("rewards/accuracies")).isEqualTo(1.0);
            assertThat(heldOut.get("loss")).isLessThan(last.loss()); // after the last update, on the same pairs
            // the policy's log-probability of the chosen = the reference's + rewards/chosen / β
            assertThat(heldOut.get("logps/chosen")).isCloseTo(heldOut.get("ref_logps/chosen")
                    + heldOut.get("rewards/chosen") / 0.1, within(1e-3));
            assertThat(java.util.Arrays.toString(io.prefloop.model.checkpoint.BlockWeights.of(policy).get(0).toFloatArray()))
                    .as("evaluation does not train").isEqualTo(before);
        }
    }

    @Test
    void rpoNllIsTheChosenTokensCrossEntropy() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm policy = TransformerLm.create(SPEC, manager);
            TransformerLm reference = LanguageModels.frozenCopy(policy, manager);
            List<ReferenceLogProbs> ref = DpoTrainer.precompute(manager, reference, TOKENIZER, PAIRS, 4);
            double nll = -(ref.get(0).chosenSum() + ref.get(1).chosenSum()) / (ref.get(0).chosenTokens() + ref.get(1).chosenTokens());
            DpoTrainer trainer = new DpoTrainer(policy, reference, TOKENIZER, DpoConfig.sigmoid(0.1).withRpoAlpha(1.0),
                    OptimizerStep.adam(policy, 1e-3f));
            DpoMetrics m = trainer.step(manager, PAIRS);
            assertThat(m.nllLoss()).isCloseTo(nll, within(1e-4));
            assertThat(m.loss()).isCloseTo(Math.log(2) + nll, within(1e-4));
        }
    }

    @Test
    void ipoUsesMeanTokenLogProbs() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm policy = TransformerLm.create(SPEC, manager);
            TransformerLm reference = LanguageModels.frozenCopy(policy, manager);
            DpoTrainer trainer = new DpoTrainer(policy, reference, TOKENIZER, new DpoConfig(0.1, DpoLossType.IPO, 0),
                    OptimizerStep.adam(policy, 1e-3f));
            List<ReferenceLogProbs> ref = DpoTrainer.precompute(manager, reference, TOKENIZER, PAIRS.subList(0, 1), 4);
            DpoMetrics m = trainer.step(manager, PAIRS.subList(0, 1));
            // policy == reference: Δ = 0, loss (0 − 1/(2·0.1))² = 25; logps/chosen is the per-token mean
            assertThat(m.loss()).isCloseTo(25, within(1e-3));
            ReferenceLogProbs r = ref.get(0);
            assertThat(r.chosenTokens()).isEqualTo(" It is blue.".length() + 1);
            assertThat(m.logpsChosen()).isCloseTo(r.chosenSum() / r.chosenTokens(), within(1e-4));
        }
    }

    private static List<float[]> values(TransformerLm model) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : model.getParameters()) {
            NDArray a = p.getValue().getArray();
            out.add(a.toFloatArray());
        }
        return out;
    }
}
