package io.prefloop.model.family;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.model.text.TransformerSpec;
import java.util.Map;

/** The causal transformer language model with the byte tokenizer (docs/language.md). */
public final class CausalTransformerFamily implements ModelFamily<TransformerLm> {

    public static final String NAME = "causal_transformer";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Serves serves() {
        return Serves.COMPLETIONS;
    }

    @Override
    public TransformerLm create(Map<String, Object> architecture, NDManager manager) {
        Object tokenizer = architecture.get(LanguageModelCheckpoints.TOKENIZER_KEY);
        if (tokenizer != null && !LanguageModelCheckpoints.BYTE_TOKENIZER.equals(tokenizer)) {
            throw new IllegalArgumentException("the architecture needs tokenizer " + tokenizer);
        }
        return TransformerLm.create(TransformerSpec.fromMap(architecture), manager);
    }

    @Override
    public Map<String, Object> architecture(TransformerLm model) {
        return LanguageModelCheckpoints.architecture(model.spec());
    }
}
