package io.prefloop.model.text;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.CheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.family.ModelFamilies;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Language models in the checkpoint format of docs/checkpoints.md: the architecture spec (plus
 * {@code "tokenizer": "byte"}) in the manifest, the parameters in model.safetensors.
 */
public final class LanguageModelCheckpoints {

    public static final String TOKENIZER_KEY = "tokenizer";
    public static final String BYTE_TOKENIZER = "byte";

    private LanguageModelCheckpoints() {}

    public static Map<String, Object> architecture(TransformerSpec spec) {
        Map<String, Object> map = new LinkedHashMap<>(spec.toMap());
        map.put(TOKENIZER_KEY, BYTE_TOKENIZER);
        return map;
    }

    /** Publishes the model; {@code manifest}'s architecture is replaced by the model's own spec. */
    public static Manifest publish(CheckpointStore store, Manifest manifest, TransformerLm model) {
        return ModelFamilies.CAUSAL_TRANSFORMER.publish(store, manifest, model);
    }

    /** Loads (hash verified by the store), rebuilds the block from the spec and fills it. */
    public static TransformerLm load(CheckpointStore store, CheckpointId id, NDManager manager) {
        return ModelFamilies.CAUSAL_TRANSFORMER.load(store, id, manager);
    }
}
