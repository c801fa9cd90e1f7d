package io.prefloop.model.reward;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.Checkpoint;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.CheckpointStore;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.TransformerSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reward models in the checkpoint format: the manifest's architecture says which kind
 * ({@code type}: {@value #TEXT} or {@value #IMAGE}) with its spec, so a reader rebuilds the block
 * without knowing in advance what it scores.
 */
public final class RewardModelCheckpoints {

    public static final String TEXT = "text_reward_model";
    public static final String IMAGE = "image_reward_convnet";

    private RewardModelCheckpoints() {}

    public static Map<String, Object> architecture(Block model) {
        Map<String, Object> map;
        if (model instanceof TextRewardModel text) {
            map = new LinkedHashMap<>(LanguageModelCheckpoints.architecture(text.spec()));
            map.put("type", TEXT);
        } else if (model instanceof ImageRewardModel image) {
            map = new LinkedHashMap<>(image.spec().toMap());
            map.put("tokenizer", "byte");
        } else {
            throw new IllegalArgumentException("not a reward model: " + model.getClass().getSimpleName());
        }
        return map;
    }

    /** A fresh (untrained) reward model for an architecture map as {@link #architecture} writes it. */
    public static Block create(Map<String, Object> architecture, NDManager manager) {
        Object type = architecture.get("type");
        if (TEXT.equals(type)) {
            return TextRewardModel.create(TransformerSpec.fromMap(architecture), manager);
        }
        if (IMAGE.equals(type)) {
            return ImageRewardModel.create(ImageRewardSpec.fromMap(architecture), manager);
        }
        throw new IllegalArgumentException("not a reward model architecture: type " + type);
    }

    /** Loads a reward model (hash verified by the store). */
    public static Block load(CheckpointStore store, CheckpointId id, NDManager manager) {
        try (NDManager tmp = manager.newSubManager()) {
            Checkpoint checkpoint = store.load(id, tmp);
            Block model = create(checkpoint.manifest().architecture(), manager);
            BlockWeights.load(model, checkpoint.weights());
            return model;
        }
    }

    /** The reward scale recorded with a checkpoint (identity when it has none). */
    public static RewardNormalizer normalizer(Map<String, Object> metrics) {
        return metrics.containsKey(RewardNormalizer.MEAN_KEY) ? RewardNormalizer.fromMetrics(metrics)
                : RewardNormalizer.identity();
    }
}
