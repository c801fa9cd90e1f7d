package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceLogProbsTest {

    private static final float LN2 = (float) Math.log(2);
    private static final int PAD = 9;

    /**
     * Vocabulary of 3 tokens. Every position has logits (0, ln 2, 0): p = (1/4, 1/2, 1/4), except
     * where a test overrides it.
     */
    private static float[] quarterHalfQuarter(int batch, int time) {
        float[] logits = new float[batch * time * 3];
        for (int i = 0; i < batch * time; i++) {
            logits[i * 3 + 1] = LN2;
        }
        return logits;
    }

    @Test
    void onlyCompletionTokensCount_promptIsMasked() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // prompt (0, 2), completion (1, 0): log p = log 1/2 + log 1/4 (predicted at positions 1 and 2)
            TokenBatch batch = TokenBatch.of(manager, List.of(new PromptCompletion(new int[] {0, 2}, new int[] {1, 0})), PAD, 16);
            NDArray logits = manager.create(quarterHalfQuarter(1, 4)).reshape(1, 4, 3);
            SequenceLogProbs lp = SequenceLogProbs.of(logits, batch);
            assertThat(lp.sum().getFloat(0)).isCloseTo((float) (Math.log(0.5) + Math.log(0.25)), within(1e-5f));
            assertThat(lp.tokenCount().getFloat(0)).isEqualTo(2f);
            assertThat(lp.mean().getFloat(0)).isCloseTo((float) ((Math.log(0.5) + Math.log(0.25)) / 2), within(1e-5f));
        }
    }

    @Test
    void rightPaddingIsIgnored_evenWhereThePaddedLogitsAreExtreme() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TokenBatch batch = TokenBatch.of(manager, List.of(
                    new PromptCompletion(new int[] {0}, new int[] {1, 1, 1}),
                    new PromptCompletion(new int[] {0}, new int[] {2})), PAD, 16);
            assertThat(batch.tokens().toLongArray()).containsExactly(0, 1, 1, 1, 0, 2, PAD, PAD);
            assertThat(batch.completionMask().toFloatArray()).containsExactly(0, 1, 1, 1, 0, 1, 0, 0);
            float[] values = quarterHalfQuarter(2, 4);
            // row 1, positions 1..3 (after its last real token): logits that would dominate if counted
            for (int t = 1; t < 4; t++) {
                values[(4 + t) * 3] = -1000f;
            }
            SequenceLogProbs lp = SequenceLogProbs.of(manager.create(values).reshape(2, 4, 3), batch);
            assertThat(lp.sum().toFloatArray()[0]).isCloseTo((float) (3 * Math.log(0.5)), within(1e-5f));
            assertThat(lp.sum().toFloatArray()[1]).isCloseTo((float) Math.log(0.25), within(1e-5f));
            assertThat(lp.tokenCount().toFloatArray()).containsExactly(3f, 1f);
        }
    }

    @Test
    void emptyCompletionScoresZeroOverZeroTokens_andMeanStaysFinite() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TokenBatch batch = TokenBatch.of(manager, List.of(
                    new PromptCompletion(new int[] {0, 1}, new int[0]),
                    new PromptCompletion(new int[] {0}, new int[] {2})), PAD, 16);
            SequenceLogProbs lp = SequenceLogProbs.of(manager.create(quarterHalfQuarter(2, 2)).reshape(2, 2, 3), batch);
            assertThat(lp.sum().toFloatArray()[0]).isZero();
            assertThat(lp.tokenCount().toFloatArray()[0]).isZero();
            assertThat(lp.mean().toFloatArray()[0]).isZero();
        }
    }

    @Test
    void truncationKeepsThePromptEndThenCutsTheCompletionEnd() {
        PromptCompletion pc = new PromptCompletion(new int[] {1, 2, 3, 4}, new int[] {5, 6, 7});
        PromptCompletion five = pc.truncate(5);
        assertThat(five.prompt()).containsExactly(3, 4);
        assertThat(five.completion()).containsExactly(5, 6, 7);
        PromptCompletion three = pc.truncate(3);
        assertThat(three.prompt()).containsExactly(4);
        assertThat(three.completion()).containsExactly(5, 6);
        assertThat(pc.truncate(10)).isSameAs(pc);
    }

    @Test
    void encodeAddsBosAndEos() {
        ByteTokenizer tok = new ByteTokenizer();
        PromptCompletion pc = PromptCompletion.encode(tok, "Q", "ok");
        assertThat(pc.prompt()).containsExactly(ByteTokenizer.BOS, 'Q');
        assertThat(pc.completion()).containsExactly('o', 'k', ByteTokenizer.EOS);
    }

    @Test
    void aRowScoresTheSameAloneAndInAPaddedBatch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ByteTokenizer tok = new ByteTokenizer();
            TransformerLm lm = TransformerLm.create(new TransformerSpec(tok.vocabSize(), 32, 16, 2, 1, 32), manager);
            ParameterStore store = new ParameterStore(manager, false);
            PromptCompletion shortRow = PromptCompletion.encode(tok, "hi", "yo");
            PromptCompletion longRow = PromptCompletion.encode(tok, "a longer prompt", "and a longer reply");
            TokenBatch alone = TokenBatch.of(manager, List.of(shortRow), tok.padId(), 32);
            TokenBatch both = TokenBatch.of(manager, List.of(longRow, shortRow), tok.padId(), 32);
            float single = SequenceLogProbs.of(lm.forward(store, alone.inputs(), false).head(), alone).sum().getFloat(0);
            float batched = SequenceLogProbs.of(lm.forward(store, both.inputs(), false).head(), both).sum().toFloatArray()[1];
            assertThat(batched).isCloseTo(single, within(1e-4f));
        }
    }

    @Test
    void gradientReachesTheModel() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ByteTokenizer tok = new ByteTokenizer();
            TransformerLm lm = TransformerLm.create(new TransformerSpec(tok.vocabSize(), 32, 16, 2, 1, 32), manager);
            TokenBatch batch = TokenBatch.of(manager, List.of(PromptCompletion.encode(tok, "a", "b")), tok.padId(), 32);
            try (var collector = manager.getEngine().newGradientCollector()) {
                NDArray logits = lm.forward(new ParameterStore(manager, false), batch.inputs(), true).head();
                collector.backward(SequenceLogProbs.of(logits, batch).sum().neg().sum());
            }
            NDArray grad = lm.getParameters().valueAt(lm.getParameters().size() - 1).getArray().getGradient();
            assertThat(grad.abs().sum().getFloat()).isGreaterThan(0f);
        }
    }

}
