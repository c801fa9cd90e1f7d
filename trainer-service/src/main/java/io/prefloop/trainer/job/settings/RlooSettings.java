package io.prefloop.trainer.job.settings;

import io.prefloop.model.text.rl.RlooConfig;
import io.prefloop.model.text.rl.RolloutSampler;

/**
 * RLOO on text (names as TRL's RLOOConfig). {@code batch_size} is the completions per step:
 * batch_size / rloo_k prompts with rloo_k samples each, so that a step costs what a PPO step of the
 * same batch_size costs. The defaults are the replies experiment's (docs/rl.md).
 */
public record RlooSettings(TrainingSettings training, String rewardModel, int rlooK, double klCoef,
        int numPpoEpochs, int numMiniBatches, double cliprange, boolean normalizeAdvantage, int responseLength,
        double temperature, double missingEosPenalty, double heldoutFraction)
        implements MethodSettings, HeldOutSplit, UsesRewardModel {

    public static final SettingsSchema<RlooSettings> SCHEMA = SettingsSchema.of(RlooSettings.class,
            TrainingSettings.COMMON,
            Setting.integer("steps", 25, 1, TrainingSettings.MAX_STEPS),
            Setting.integer("batch_size", 64, 2, 4096),
            Setting.number("learning_rate", 5e-5, 0, true, 1),
            Setting.integer("checkpoint_every", 10, 1, TrainingSettings.MAX_STEPS),
            REWARD_MODEL,
            Setting.integer("rloo_k", 4, 2, 256),
            Setting.number("kl_coef", 0.85, 0, false, 100),
            Setting.integer("num_ppo_epochs", 4, 1, 100),
            Setting.integer("num_mini_batches", 4, 1, 4096),
            Setting.numberBelow("cliprange", 0.2, 0, 1),
            Setting.flag("normalize_advantage", true),
            Setting.integer("response_length", 40, 1, 4096),
            Setting.number("temperature", 1, 0, true, 10),
            Setting.number("missing_eos_penalty", 0, 0, false, 100),
            HELD_OUT);

    public RlooSettings {
        UsesRewardModel.check(rewardModel);
        if (cliprange <= 0) {
            throw new InvalidSettingException("cliprange", "must be > 0");
        }
        if (training.batchSize() % rlooK != 0) {
            throw new InvalidSettingException("batch_size", "must be a multiple of rloo_k (" + rlooK
                    + "): each prompt gets rloo_k completions");
        }
        if (numMiniBatches > training.batchSize()) {
            throw new InvalidSettingException("num_mini_batches", "must be at most batch_size (" + training.batchSize() + ")");
        }
    }

    public RlooConfig config() {
        return new RlooConfig(rlooK, klCoef, numPpoEpochs, numMiniBatches, cliprange, normalizeAdvantage);
    }

    public RolloutSampler.Sampling sampling() {
        return new RolloutSampler.Sampling(responseLength, temperature, missingEosPenalty);
    }

    /** Prompts per step. */
    public int prompts() {
        return training.batchSize() / rlooK;
    }
}
