package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextGeneratorTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();

    @Test
    void sameSeedSameCompletion_whateverElseIsInTheBatch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm lm = TransformerLm.create(new TransformerSpec(TOKENIZER.vocabSize(), 24, 16, 2, 1, 32), manager);
            TextGenerator generator = new TextGenerator(lm, TOKENIZER);
            SamplingParams params = new SamplingParams(6, 1.0, 0.95, 7);
            List<Generation> batch = generator.generate(manager, List.of("hello", "a much longer prompt"), params);
            List<Generation> again = generator.generate(manager, List.of("hello", "a much longer prompt"), params);
            List<Generation> alone = generator.generate(manager, List.of("hello"), params);
            assertThat(batch.get(0).tokens()).isEqualTo(again.get(0).tokens()).isEqualTo(alone.get(0).tokens());
            assertThat(batch.get(1).tokens()).isEqualTo(again.get(1).tokens());
            assertThat(batch.get(0).tokens().length).isBetween(1, 6);
        }
    }

    @Test
    void rowsOfDifferentRequestsShareABatchAndSampleWhatTheyWouldAlone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm lm = TransformerLm.create(new TransformerSpec(TOKENIZER.vocabSize(), 24, 16, 2, 1, 32), manager);
            TextGenerator generator = new TextGenerator(lm, TOKENIZER);
            SamplingParams hot = new SamplingParams(6, 1.3, 0.9, 11);
            SamplingParams greedy = new SamplingParams(6, 0, 1, 3);
            SamplingParams shortOne = new SamplingParams(2, 1.0, 1, 5);
            List<Generation> first = generator.generate(manager, List.of("hello", "again"), hot);
            List<Generation> second = generator.generate(manager, List.of("a much longer prompt"), greedy);
            List<Generation> third = generator.generate(manager, List.of("x"), shortOne);
            List<Generation> together = generator.generate(manager, List.of(
                    new TextGenerator.Row("a much longer prompt", greedy, 0), new TextGenerator.Row("hello", hot, 0),
                    new TextGenerator.Row("x", shortOne, 0), new TextGenerator.Row("again", hot, 1)));
            assertThat(together.get(0).tokens()).isEqualTo(second.get(0).tokens());
            assertThat(together.get(1).tokens()).isEqualTo(first.get(0).tokens());
            assertThat(together.get(3).tokens()).isEqualTo(first.get(1).tokens());
            assertThat(together.get(2).tokens()).as("a row stops at its own max_tokens").isEqualTo(third.get(0).tokens())
                    .hasSizeLessThanOrEqualTo(2);
        }
    }

    @Test
    void cachedGreedyDecodingEqualsRecomputingTheWholeSequence() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm lm = TransformerLm.create(new TransformerSpec(TOKENIZER.vocabSize(), 24, 16, 2, 2, 32), manager);
            List<String> prompts = List.of("hi", "a longer prompt");
            List<Generation> cached = new TextGenerator(lm, TOKENIZER).generate(manager, prompts, new SamplingParams(5, 0, 1, 0));
            for (int p = 0; p < prompts.size(); p++) {
                List<Integer> seq = new ArrayList<>();
                for (int id : PromptCompletion.withBos(TOKENIZER, prompts.get(p))) {
                    seq.add(id);
                }
                int[] expected = new int[cached.get(p).tokens().length];
                for (int s = 0; s < expected.length; s++) {
                    long[] ids = seq.stream().mapToLong(Integer::longValue).toArray();
                    NDArray logits = lm.forward(new ParameterStore(manager, false), new NDList(
                            manager.create(ids).reshape(1, ids.length), manager.ones(new Shape(1, ids.length))), false).head();
                    expected[s] = (int) logits.get(new NDIndex("0, {}, :", ids.length - 1)).argMax().getLong();
                    seq.add(expected[s]);
                }
                assertThat(cached.get(p).tokens()).containsExactly(expected);
            }
        }
    }

    @Test
    void stopsAtMaxTokensAndSaysSo_andLongPromptsKeepTheirEnd() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm lm = TransformerLm.create(new TransformerSpec(TOKENIZER.vocabSize(), 8, 16, 2, 1, 32), manager);
            // an untrained model almost never picks EOS greedily among 259 tokens
            List<Generation> out = new TextGenerator(lm, TOKENIZER)
                    .generate(manager, List.of("0123456789"), new SamplingParams(5, 0, 1, 0));
            Generation g = out.get(0);
            if (!g.finished()) {
                assertThat(g.tokens()).hasSize(5);
                assertThat(g.finishReason()).isEqualTo("length");
            }
            // max_tokens beyond max_length is capped at max_length − 1
            assertThat(new TextGenerator(lm, TOKENIZER).generate(manager, List.of("x"), new SamplingParams(50, 0, 1, 0))
                    .get(0).tokens().length).isLessThanOrEqualTo(7);
        }
    }

    @Test
    void rejectsBadParameters() {
        assertThatThrownBy(() -> new SamplingParams(0, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SamplingParams(5, -1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SamplingParams(5, 1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SamplingParams(5, 1, 1.5, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
