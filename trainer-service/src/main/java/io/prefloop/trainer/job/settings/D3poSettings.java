package io.prefloop.trainer.job.settings;

import io.prefloop.model.diffusion.D3poLoss;

/** D3PO (Yang et al. 2024): β and the clamp of the policy/reference ratio to [1 − clip, 1 + clip]. */
public record D3poSettings(TrainingSettings training, double beta, double clip, double heldoutFraction)
        implements MethodSettings, HeldOutSplit {

    public static final SettingsSchema<D3poSettings> SCHEMA = SettingsSchema.of(D3poSettings.class,
            TrainingSettings.COMMON,
            Setting.number("beta", 0.1, 0, true, 10_000),
            Setting.number("clip", 0.1, 0, true, 1),
            HELD_OUT,
            TrainingSettings.DIFFUSION_WARMUP,
            TrainingSettings.DIFFUSION_RATIO);

    public D3poLoss loss() {
        return new D3poLoss(beta, clip);
    }
}
