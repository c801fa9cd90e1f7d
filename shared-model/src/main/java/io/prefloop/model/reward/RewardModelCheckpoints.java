package io.prefloop.model.reward;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.CheckpointNotFoundException;
import io.prefloop.model.checkpoint.CheckpointStore;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.family.ModelFamily;
import io.prefloop.model.family.Serves;
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
        if (model instanceof TextRewardModel text) {
            return ModelFamilies.TEXT_REWARD.architecture(text);
        }
        if (model instanceof ImageRewardModel image) {
            return ModelFamilies.IMAGE_REWARD.architecture(image);
        }
        throw new IllegalArgumentException("not a reward model: " + model.getClass().getSimpleName());
    }

    /** A fresh (untrained) reward model for an architecture map as {@link #architecture} writes it. */
    public static Block create(Map<String, Object> architecture, NDManager manager) {
        return rewardFamily(architecture).create(architecture, manager);
    }

    /** Loads a reward model (hash verified by the store). */
    public static Block load(CheckpointStore store, CheckpointId id, NDManager manager) {
        return rewardFamily(store.manifest(id).orElseThrow(() -> new CheckpointNotFoundException(id)).architecture())
                .load(store, id, manager);
    }

    private static ModelFamily<?> rewardFamily(Map<String, Object> architecture) {
        ModelFamily<?> family = ModelFamilies.of(architecture);
        if (family.serves() != Serves.TEXT_REWARDS && family.serves() != Serves.IMAGE_REWARDS) {
            throw new IllegalArgumentException("not a reward model architecture: family " + family.name());
        }
        return family;
    }

    /** The reward scale recorded with a checkpoint (identity when it has none). */
    public static RewardNormalizer normalizer(Map<String, Object> metrics) {
        return metrics.containsKey(RewardNormalizer.MEAN_KEY) ? RewardNormalizer.fromMetrics(metrics)
                : RewardNormalizer.identity();
    }
}
