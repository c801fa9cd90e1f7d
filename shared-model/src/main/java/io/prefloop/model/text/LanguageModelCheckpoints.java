package io.prefloop.model.text;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.Checkpoint;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.CheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
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
        Manifest withSpec = new Manifest(manifest.model(), manifest.version(), manifest.parent(), manifest.reference(),
                architecture(model.spec()), manifest.method(), manifest.hyperparameters(), manifest.dataset(),
                manifest.metrics(), null, manifest.createdAt());
        return store.publish(withSpec, BlockWeights.of(model));
    }

    /** Loads (hash verified by the store), rebuilds the block from the spec and fills it. */
    public static TransformerLm load(CheckpointStore store, CheckpointId id, NDManager manager) {
        Checkpoint checkpoint = store.load(id, manager);
        Object tokenizer = checkpoint.manifest().architecture().get(TOKENIZER_KEY);
        if (tokenizer != null && !BYTE_TOKENIZER.equals(tokenizer)) {
            throw new IllegalArgumentException("checkpoint " + id + " needs tokenizer " + tokenizer);
        }
        TransformerLm model = TransformerLm.create(TransformerSpec.fromMap(checkpoint.manifest().architecture()), manager);
        BlockWeights.load(model, checkpoint.weights());
        checkpoint.weights().close();
        return model;
    }
}
