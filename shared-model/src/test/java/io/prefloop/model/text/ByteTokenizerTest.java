package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteTokenizerTest {

    private final ByteTokenizer tokenizer = new ByteTokenizer();

    @Test
    void utf8BytesRoundTrip() {
        assertThat(tokenizer.encode("aé")).containsExactly('a', 0xc3, 0xa9);
        assertThat(tokenizer.decode(tokenizer.encode("Grass is green. ✓"))).isEqualTo("Grass is green. ✓");
    }

    @Test
    void specialTokensAreOutsideTheBytesAndDecodeToNothing() {
        assertThat(tokenizer.vocabSize()).isEqualTo(259);
        assertThat(tokenizer.decode(new int[] {ByteTokenizer.BOS, 'o', 'k', ByteTokenizer.EOS, ByteTokenizer.PAD})).isEqualTo("ok");
    }

    @Test
    void aSampledNulByteDecodesToNothing_noStoreTakesIt() {
        assertThat(tokenizer.decode(new int[] {'o', 0, 'k'})).isEqualTo("ok");
    }
}
