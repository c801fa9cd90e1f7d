package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.reward.RewardModelCheckpoints;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.rl.RewardModelScore;
import io.prefloop.trainer.registry.CheckpointView;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reward model of a PPO or RLOO job: its {@code reward_model} resolved in the registry (the
 * current checkpoint for a bare name, resolved once, when the job starts: a promotion during the job
 * does not change what it optimises), loaded from the store with its normaliser.
 *
 * @param id the checkpoint, recorded in the published manifest's dataset
 */
record RlRewardModel(CheckpointId id, RewardModelScore score) {

    static RlRewardModel load(RunnerServices services, String reference, NDManager manager) {
        CheckpointView view = services.rewardModels().resolve(reference);
        CheckpointId id = new CheckpointId(view.model(), view.version());
        TextRewardModel model = (TextRewardModel) RewardModelCheckpoints.load(services.store(), id, manager);
        return new RlRewardModel(id, new RewardModelScore(model, RewardModelCheckpoints.normalizer(view.metrics()),
                new ByteTokenizer()));
    }

    /** The job's comparisons' range plus the reward model, for the manifest's dataset. */
    Map<String, Object> dataset(Map<String, Object> comparisons, int prompts) {
        Map<String, Object> out = new LinkedHashMap<>(comparisons);
        out.put("reward_model", id.model() + "/" + id.version());
        out.put("prompts", prompts);
        return out;
    }
}
