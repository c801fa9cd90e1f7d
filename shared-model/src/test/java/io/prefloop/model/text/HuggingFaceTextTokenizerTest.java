package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Loads a hand-written WordLevel tokenizer.json offline through DJL's tokenizers. */
class HuggingFaceTextTokenizerTest {

    private static Path fixture() throws URISyntaxException {
        return Path.of(HuggingFaceTextTokenizerTest.class.getResource("/text/wordlevel-tokenizer.json").toURI());
    }

    @Test
    void encodesDecodesAndNamesItsSpecialTokens() throws Exception {
        try (HuggingFaceTextTokenizer tok = HuggingFaceTextTokenizer.load(fixture(), "[BOS]", "[EOS]", "[PAD]")) {
            assertThat(tok.encode("grass is green .")).containsExactly(4, 5, 6, 7);
            assertThat(tok.encode("grass is purple")).containsExactly(4, 5, 1);
            assertThat(tok.decode(new int[] {2, 8, 9, 5, 10, 3, 0})).isEqualTo("the sky is blue");
            assertThat(tok.vocabSize()).isEqualTo(11);
            assertThat(new int[] {tok.bosId(), tok.eosId(), tok.padId()}).containsExactly(2, 3, 0);
            PromptCompletion pc = PromptCompletion.encode(tok, "the sky", "is blue");
            assertThat(pc.prompt()).containsExactly(2, 8, 9);
            assertThat(pc.completion()).containsExactly(5, 10, 3);
        }
    }

    @Test
    void unknownSpecialTokenIsAnError() {
        assertThatThrownBy(() -> HuggingFaceTextTokenizer.load(fixture(), "<s>", "[EOS]", "[PAD]"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
