package io.prefloop.trainer.job.settings;

import io.prefloop.model.diffusion.DiffusionDpoLoss;

/**
 * Diffusion-DPO (β per sample-mean MSE: diffusers' β/2, docs/diffusion.md). The defaults are the
 * closed loop's, chosen by a seed study (docs/loop.md).
 */
public record DiffusionDpoSettings(TrainingSettings training, double beta, DiffusionDpoLoss.Type lossType,
        double sftWeight, double heldoutFraction) implements MethodSettings, HeldOutSplit {

    public static final SettingsSchema<DiffusionDpoSettings> SCHEMA = SettingsSchema.of(DiffusionDpoSettings.class,
            TrainingSettings.COMMON,
            Setting.integer("steps", 150, 1, TrainingSettings.MAX_STEPS),
            Setting.integer("batch_size", 32, 1, 4096),
            Setting.number("learning_rate", 5e-5, 0, true, 1),
            Setting.number("beta", 500, 0, true, 100_000),
            Setting.choice("loss_type", "sigmoid", "sigmoid", "hinge", "ipo"),
            Setting.number("sft_weight", 500, 0, false, 1_000_000),
            HELD_OUT,
            TrainingSettings.DIFFUSION_WARMUP,
            TrainingSettings.DIFFUSION_RATIO);

    /** The loss, as configured. */
    public DiffusionDpoLoss loss() {
        return new DiffusionDpoLoss(beta, lossType, sftWeight);
    }
}
