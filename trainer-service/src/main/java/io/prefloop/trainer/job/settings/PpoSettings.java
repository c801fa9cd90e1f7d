package io.prefloop.trainer.job.settings;

import io.prefloop.model.text.rl.AdaptiveKlController;
import io.prefloop.model.text.rl.FixedKlController;
import io.prefloop.model.text.rl.KlController;
import io.prefloop.model.text.rl.PpoConfig;
import io.prefloop.model.text.rl.RolloutSampler;

/**
 * PPO with a KL penalty on text (names as TRL's PPOConfig; {@code kl_target} and {@code kl_horizon}
 * as its older AdaptiveKLController). {@code batch_size} is the rollouts per step (TRL's
 * batch_size), each step one batch of rollouts and num_ppo_epochs × num_mini_batches Adam updates.
 * {@code kl_target} 0 keeps β at {@code kl_coef}; above 0 β adapts towards that KL (Ziegler et al.
 * 2019). The defaults are the replies experiment's (docs/rl.md), not TRL's, whose learning rate
 * 3e-6 is for models a thousand times larger.
 */
public record PpoSettings(TrainingSettings training, String rewardModel, double klCoef, double klTarget,
        double klHorizon, int numPpoEpochs, int numMiniBatches, double cliprange, double cliprangeValue,
        double vfCoef, double gamma, double lam, int responseLength, double temperature, double missingEosPenalty,
        double heldoutFraction) implements MethodSettings, HeldOutSplit, UsesRewardModel {

    public static final SettingsSchema<PpoSettings> SCHEMA = SettingsSchema.of(PpoSettings.class,
            TrainingSettings.COMMON,
            Setting.integer("steps", 40, 1, TrainingSettings.MAX_STEPS),
            Setting.integer("batch_size", 64, 2, 4096),
            Setting.number("learning_rate", 5e-5, 0, true, 1),
            Setting.integer("checkpoint_every", 10, 1, TrainingSettings.MAX_STEPS),
            REWARD_MODEL,
            Setting.number("kl_coef", 0.3, 0, false, 100),
            Setting.number("kl_target", 0, 0, false, 10_000),
            Setting.number("kl_horizon", 10_000, 0, true, 1e9),
            Setting.integer("num_ppo_epochs", 4, 1, 100),
            Setting.integer("num_mini_batches", 4, 1, 4096),
            Setting.numberBelow("cliprange", 0.2, 0, 1),
            Setting.number("cliprange_value", 0.2, 0, true, 100),
            Setting.number("vf_coef", 0.1, 0, false, 100),
            Setting.number("gamma", 1, 0, false, 1),
            Setting.number("lam", 0.95, 0, false, 1),
            Setting.integer("response_length", 40, 1, 4096),
            Setting.number("temperature", 1, 0, true, 10),
            Setting.number("missing_eos_penalty", 0, 0, false, 100),
            HELD_OUT);

    public PpoSettings {
        UsesRewardModel.check(rewardModel);
        if (cliprange <= 0) {
            throw new InvalidSettingException("cliprange", "must be > 0");
        }
        if (numMiniBatches > training.batchSize()) {
            throw new InvalidSettingException("num_mini_batches", "must be at most batch_size (" + training.batchSize()
                    + "): each minibatch needs a rollout");
        }
    }

    public PpoConfig config() {
        return new PpoConfig(numPpoEpochs, numMiniBatches, cliprange, cliprangeValue, vfCoef, gamma, lam);
    }

    public KlController klController() {
        return klTarget > 0 ? new AdaptiveKlController(Math.max(klCoef, 1e-6), klTarget, klHorizon)
                : new FixedKlController(klCoef);
    }

    public RolloutSampler.Sampling sampling() {
        return new RolloutSampler.Sampling(responseLength, temperature, missingEosPenalty);
    }
}
