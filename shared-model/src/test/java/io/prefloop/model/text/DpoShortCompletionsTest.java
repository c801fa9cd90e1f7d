package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.nn.OptimizerStep;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Empty and one-token completions, and completions cut to nothing by truncation, give finite DPO
 * losses and metrics in training and in held-out evaluation: no masked mean over zero tokens, no
 * −∞ log-probability multiplied by a zero mask.
 */
class DpoShortCompletionsTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final TransformerSpec SPEC = new TransformerSpec(TOKENIZER.vocabSize(), 32, 16, 2, 1, 16);
    private static final List<TextPreference> PAIRS = List.of(
            new TextPreference("Q: sky?", "", " blue"),
            new TextPreference("Q: grass?", "g", ""),
            new TextPreference("", "", ""),
            new TextPreference("Q: a prompt far longer than the model's context?", "a", "a completion longer than the context"));

    @Test
    void everyLossTypeGivesFiniteMetricsInTrainingAndEvaluation() {
        for (DpoLossType type : DpoLossType.values()) {
            try (NDManager manager = NDManager.newBaseManager()) {
                TransformerLm policy = TransformerLm.create(SPEC, manager);
                TransformerLm reference = LanguageModels.frozenCopy(policy, manager);
                DpoConfig config = new DpoConfig(0.1, type, type == DpoLossType.ROBUST ? 0.1 : 0).withRpoAlpha(0.5);
                DpoTrainer trainer = new DpoTrainer(policy, reference, TOKENIZER, config, OptimizerStep.adam(policy, 1e-3f));
                for (int i = 0; i < 3; i++) {
                    assertFinite(type + " step " + i, trainer.step(manager, PAIRS).toMap());
                }
                for (TextPreference pair : PAIRS) {
                    assertFinite(type + " held out " + pair, trainer.evaluate(manager, List.of(pair)));
                }
                Map<String, Double> all = trainer.evaluate(manager, PAIRS);
                assertFinite(type + " held out", all);
                assertThat(all).containsKeys("loss", "rewards/accuracies", "logps/chosen", "ref_logps/chosen");
            }
        }
    }

    @Test
    void aCompletionOfNoTokensHasLogProbabilityZeroAndMeanZero() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm model = TransformerLm.create(SPEC, manager);
            TokenBatch batch = TokenBatch.of(manager, List.of(
                    new PromptCompletion(new int[] {TOKENIZER.bosId(), 65}, new int[0]),
                    PromptCompletion.encode(TOKENIZER, "Q", "")), TOKENIZER.padId(), 16);
            SequenceLogProbs lp = SequenceLogProbs.of(
                    model.forward(new ai.djl.training.ParameterStore(manager, false), batch.inputs(), false).head(), batch);
            assertThat(lp.tokenCount().toFloatArray()).containsExactly(0f, 1f);
            assertThat(lp.sum().getFloat(0)).isZero();
            assertThat(lp.mean().getFloat(0)).isZero();
            assertThat(lp.sum().getFloat(1)).isFinite().isNegative();
        }
    }

    @Test
    void anImpossibleTokenAtAMaskedPositionDoesNotPoisonTheSum() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // prompt [BOS, 65], completion [66]: position 0 predicts the prompt token (masked), position 1 predicts 66
            TokenBatch batch = TokenBatch.of(manager, List.of(new PromptCompletion(new int[] {TOKENIZER.bosId(), 65},
                    new int[] {66})), TOKENIZER.padId(), 16);
            int vocab = TOKENIZER.vocabSize();
            float[] logits = new float[3 * vocab];
            // masked positions gather token 0: make its log-probability −∞ at the one the mask leaves out
            logits[0] = Float.NEGATIVE_INFINITY;
            SequenceLogProbs lp = SequenceLogProbs.of(manager.create(logits, new ai.djl.ndarray.types.Shape(1, 3, vocab)),
                    batch);
            assertThat((double) lp.sum().getFloat(0)).isCloseTo(-Math.log(vocab), org.assertj.core.api.Assertions.within(1e-4));
        }
    }

    private static void assertFinite(String what, Map<String, Double> metrics) {
        metrics.forEach((k, v) -> assertThat(v).as(what + ": " + k).isFinite());
    }
}
