package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
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
    void stopsAtMaxTokensAndSaysSo_andContextSlidesPastMaxLength() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm lm = TransformerLm.create(new TransformerSpec(TOKENIZER.vocabSize(), 8, 16, 2, 1, 32), manager);
            // an untrained model almost never picks EOS greedily among 259 tokens
            List<Generation> out = new TextGenerator(lm, TOKENIZER)
                    .generate(manager, List.of("0123456789"), new SamplingParams(12, 0, 1, 0));
            Generation g = out.get(0);
            if (!g.finished()) {
                assertThat(g.tokens()).hasSize(12);
                assertThat(g.finishReason()).isEqualTo("length");
            }
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
