package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import java.util.List;
import org.junit.jupiter.api.Test;

class SftTrainerTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final TransformerSpec SPEC = new TransformerSpec(TOKENIZER.vocabSize(), 32, 16, 2, 1, 48);

    @Test
    void theNllCountsOnlyTheCompletionTokensIncludingEos() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            TransformerLm lm = TransformerLm.create(SPEC, manager);
            SftTrainer trainer = new SftTrainer(lm, null, TOKENIZER, OptimizerStep.adam(lm, 1e-3f));
            String prompt = "Q: 2+2?";
            String completion = " 4";

            // by hand: one sequence [BOS prompt completion EOS]; position t predicts token t + 1
            int[] p = PromptCompletion.withBos(TOKENIZER, prompt);
            int[] c = PromptCompletion.withEos(TOKENIZER, completion);
            int[] all = new int[p.length + c.length];
            System.arraycopy(p, 0, all, 0, p.length);
            System.arraycopy(c, 0, all, p.length, c.length);
            NDArray tokens = manager.create(all, new Shape(1, all.length));
            NDArray mask = manager.ones(new Shape(1, all.length));
            NDArray logits = lm.forward(new ParameterStore(manager, false), new NDList(tokens, mask), false).head();
            float[] logProbs = logits.logSoftmax(2).toFloatArray();
            int vocab = SPEC.vocabSize();
            double sum = 0;
            for (int t = p.length - 1; t < all.length - 1; t++) {
                sum += logProbs[t * vocab + all[t + 1]];
            }
            double expected = -sum / c.length;

            double nll = trainer.evaluate(manager, List.of(new SftTrainer.Example(prompt, completion))).get("nll");
            assertThat(nll).isCloseTo(expected, within(1e-4));
            assertThat(c.length).as("the two bytes of \" 4\" and EOS").isEqualTo(3);
        }
    }

    @Test
    void stepsLowerTheNllOfTheDemonstrationsAgainstTheFrozenStart() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(2);
            TransformerLm lm = TransformerLm.create(SPEC, manager);
            TransformerLm start = ModelFamilies.CAUSAL_TRANSFORMER.frozenCopy(lm, manager);
            SftTrainer trainer = new SftTrainer(lm, start, TOKENIZER, OptimizerStep.adam(lm, 1e-2f));
            List<SftTrainer.Example> demos = List.of(new SftTrainer.Example("Q: hi", " Certainly."),
                    new SftTrainer.Example("Q: yo", " Certainly."));
            double first = trainer.evaluate(manager, demos).get("nll");
            for (int i = 0; i < 40; i++) {
                trainer.step(manager, demos);
            }
            var after = trainer.evaluate(manager, demos);
            assertThat(after.get("nll")).isLessThan(first * 0.5);
            assertThat(after.get("ref_nll")).as("the frozen start is untouched").isCloseTo(first, within(1e-3));
        }
    }
}
