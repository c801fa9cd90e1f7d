package io.prefloop.trainer.job.settings;

import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.rl.DpokConfig;
import io.prefloop.model.diffusion.rl.DpokLoss;

/**
 * DPOK (Fan et al. 2023): each step samples {@code samples_per_step} images, scores them with
 * {@code reward}, regresses the value network ({@code value_hidden} units, {@code value_batch} states
 * per update, Adam at {@code value_learning_rate}) on the rewards and makes {@code inner_epochs} passes of the policy loss with the
 * clamped ratio ({@code ratio_clip}) and the KL to the frozen start weighted by {@code kl_weight}
 * (the paper's β / α).
 */
public record DpokSettings(TrainingSettings training, String reward, int samplesPerStep, int innerEpochs,
        double timestepFraction, double klWeight, double ratioClip, int valueBatch, int valueHidden, double valueLearningRate,
        int samplingSteps, double eta, double cfgScale, double heldoutFraction)
        implements MethodSettings, HeldOutSplit, PolicyGradientSettings {

    public static final SettingsSchema<DpokSettings> SCHEMA = SettingsSchema.of(DpokSettings.class,
            TrainingSettings.COMMON,
            // the experiment's (docs/rl.md): at 1e-4 the policy ended 7x further away for less reward
            Setting.number("learning_rate", 2e-5, 0, true, 1),
            Setting.integer("batch_size", 32, 1, 4096),
            Setting.integer("steps", 20, 1, TrainingSettings.MAX_STEPS),
            Setting.integer("checkpoint_every", 5, 1, TrainingSettings.MAX_STEPS),
            RewardSource.SETTING,
            Setting.integer("samples_per_step", 32, 1, 4096),
            Setting.integer("inner_epochs", 1, 1, 64),
            Setting.number("timestep_fraction", 0.5, 0, true, 1),
            Setting.number("kl_weight", 0.1, 0, false, 1_000_000),
            Setting.number("ratio_clip", 1e-4, 0, true, 1),
            Setting.integer("value_batch", 256, 1, 65_536),
            Setting.integer("value_hidden", 128, 4, 4096),
            Setting.number("value_learning_rate", 1e-3, 0, true, 1),
            Setting.integer("sampling_steps", 10, 2, 1000),
            Setting.number("eta", 1, 0, true, 1),
            Setting.number("cfg_scale", 3, 0, false, 50),
            HELD_OUT,
            TrainingSettings.DIFFUSION_RATIO);

    public DpokSettings {
        RewardSource.parse(reward);
    }

    public DpokConfig config() {
        return new DpokConfig(training.batchSize(), innerEpochs, timestepFraction, valueBatch);
    }

    public DpokLoss loss() {
        return new DpokLoss(klWeight, ratioClip);
    }

    @Override
    public SamplerSettings sampler() {
        return SamplerSettings.ddim(samplingSteps, cfgScale).withEta(eta);
    }
}
