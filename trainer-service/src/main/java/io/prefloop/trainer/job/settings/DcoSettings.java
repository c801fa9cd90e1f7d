package io.prefloop.trainer.job.settings;

import io.prefloop.model.diffusion.DcoLoss;

/** DCO (Lee et al. 2024): β weighs staying close to the frozen current checkpoint. */
public record DcoSettings(TrainingSettings training, double beta) implements MethodSettings {

    public static final SettingsSchema<DcoSettings> SCHEMA = SettingsSchema.of(DcoSettings.class,
            TrainingSettings.COMMON,
            Setting.number("beta", 1000, 0, true, 100_000),
            TrainingSettings.DIFFUSION_WARMUP,
            TrainingSettings.DIFFUSION_RATIO);

    public DcoLoss loss() {
        return new DcoLoss(beta);
    }
}
