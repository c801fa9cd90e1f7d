package io.prefloop.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HfConfigTest {

    private static HfConfig config(String json) {
        return HfConfig.parse(json.getBytes(StandardCharsets.UTF_8), "config.json");
    }

    @Test
    void typedGettersWithAndWithoutDefaults() {
        HfConfig c = config("""
                {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_embd": 64, "n_inner": null,
                 "layer_norm_epsilon": 1e-5, "rope_theta": 10000, "tie_word_embeddings": true,
                 "eos_token_id": [1, 2], "bos_token_id": 0, "rope_scaling": {"factor": 8.0, "rope_type": "llama3"}}
                """);
        assertThat(c.modelType()).isEqualTo("gpt2");
        assertThat(c.architectures()).containsExactly("GPT2LMHeadModel");
        assertThat(c.getInt("n_embd")).isEqualTo(64);
        assertThat(c.getInt("n_inner", 256)).isEqualTo(256);
        assertThat(c.has("n_inner")).isFalse();
        assertThat(c.getDouble("layer_norm_epsilon")).isEqualTo(1e-5);
        assertThat(c.getDouble("rope_theta")).isEqualTo(10000.0);
        assertThat(c.getBoolean("tie_word_embeddings")).isTrue();
        assertThat(c.getBoolean("scale_attn_weights", true)).isTrue();
        assertThat(c.getInts("eos_token_id")).containsExactly(1, 2);
        assertThat(c.getInts("bos_token_id")).containsExactly(0);
        assertThat(c.getObject("rope_scaling").orElseThrow().getDouble("factor")).isEqualTo(8.0);
        assertThat(c.getObject("absent")).isEmpty();
    }

    @Test
    void missingOrMistypedKeysFailNamingTheKey() {
        HfConfig c = config("{\"n_embd\": 6.5, \"architectures\": [], \"flag\": \"yes\"}");
        assertThatThrownBy(c::modelType).hasMessageContaining("missing key \"model_type\"");
        assertThatThrownBy(c::architectures).hasMessageContaining("architectures");
        assertThatThrownBy(() -> c.getInt("n_embd")).hasMessageContaining("\"n_embd\" must be an int");
        assertThatThrownBy(() -> c.getInt("n_embd", 1)).hasMessageContaining("n_embd");
        assertThatThrownBy(() -> c.getBoolean("flag")).hasMessageContaining("\"flag\" must be a boolean");
        assertThatThrownBy(() -> c.getDouble("flag")).hasMessageContaining("number");
        assertThatThrownBy(() -> config("[1]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> config("{")).hasMessageContaining("invalid JSON");
    }
}
