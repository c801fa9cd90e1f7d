package io.prefloop.model.hf;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.model.text.HuggingFaceTextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fixture's byte-level BPE tokenizer.json through {@link HuggingFaceTextTokenizer} (DJL's
 * tokenizers, i.e. HF's Rust library) gives the ids that make_gpt2_fixture.py's own Python port of
 * GPT-2's BPE computed, and decodes them back.
 */
class Gpt2TokenizerTest {

    @Test
    void encodesAndDecodesAsTheFixtureSays() throws Exception {
        Path fixture = Gpt2ModelTest.FIXTURE;
        JsonNode expected = JsonMapper.builder().build().readTree(Files.readAllBytes(fixture.resolve("expected.json")));
        String eot = "<|endoftext|>";
        try (HuggingFaceTextTokenizer tok = HuggingFaceTextTokenizer.load(fixture.resolve("tokenizer.json"), eot, eot, eot)) {
            assertThat(tok.vocabSize()).isEqualTo(300);
            assertThat(tok.eosId()).isEqualTo(299);
            for (JsonNode e : expected.get("encodings")) {
                String text = e.get("text").stringValue();
                int[] ids = Gpt2ModelTest.ints(e.get("ids"));
                assertThat(tok.encode(text)).as(text).containsExactly(ids);
                // decode drops the special token, as HuggingFaceTextTokenizer documents
                assertThat(tok.decode(ids)).as(text).isEqualTo(text.replace(eot, ""));
            }
        }
    }
}
