package io.prefloop.trainer.job.settings;

import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoLossType;

/**
 * DPO on text (names and meanings as TRL's DPOConfig). The defaults are the closed loop's
 * (docs/loop.md, chosen by a seed study): a round of online feedback is a few hundred comparisons,
 * not an offline dataset; β 0.5 where TRL's default is 0.1. The loss settings are checked by the
 * same {@link DpoConfig} the trainer builds, so the API and the library refuse the same values.
 */
public record DpoSettings(TrainingSettings training, double beta, DpoLossType lossType, double labelSmoothing,
        double rpoAlpha, double heldoutFraction) implements MethodSettings, HeldOutSplit {

    public static final SettingsSchema<DpoSettings> SCHEMA = SettingsSchema.of(DpoSettings.class,
            TrainingSettings.COMMON,
            Setting.integer("steps", 40, 1, TrainingSettings.MAX_STEPS),
            Setting.number("learning_rate", 3e-5, 0, true, 1),
            Setting.number("beta", 0.5, 0, true, 10_000),
            Setting.choice("loss_type", "sigmoid", "sigmoid", "hinge", "ipo", "robust"),
            Setting.numberBelow("label_smoothing", 0, 0, DpoConfig.LABEL_SMOOTHING_LIMIT),
            Setting.number("rpo_alpha", 2, 0, false, 1_000),
            HELD_OUT);

    public DpoSettings {
        config(beta, lossType, labelSmoothing, rpoAlpha);
    }

    /** The loss's configuration. */
    public DpoConfig config() {
        return config(beta, lossType, labelSmoothing, rpoAlpha);
    }

    private static DpoConfig config(double beta, DpoLossType lossType, double labelSmoothing, double rpoAlpha) {
        try {
            return new DpoConfig(beta, lossType, labelSmoothing, rpoAlpha);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(labelSmoothing > 0 ? "label_smoothing" : "beta", e.getMessage());
        }
    }
}
