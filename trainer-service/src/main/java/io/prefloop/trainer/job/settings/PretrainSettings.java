package io.prefloop.trainer.job.settings;

/**
 * Pretraining a synthetic world's base model. The defaults made the committed shapes base
 * (docs/diffusion.md); replies' base used 1200 × 32 at 3e-3. No clipping by default: these
 * defaults must still make the committed bases.
 */
public record PretrainSettings(TrainingSettings training, World world, double wrongColourFraction,
        double promptDropout, double ema) implements MethodSettings {

    public enum World { SHAPES, REPLIES }

    public static final SettingsSchema<PretrainSettings> SCHEMA = SettingsSchema.of(PretrainSettings.class,
            TrainingSettings.COMMON,
            Setting.choice("world", "shapes", "shapes", "replies"),
            Setting.integer("steps", 1100, 1, TrainingSettings.MAX_STEPS),
            Setting.integer("batch_size", 96, 1, 4096),
            Setting.number("learning_rate", 2e-3, 0, true, 1),
            Setting.number("wrong_colour_fraction", 0.35, 0, false, 1),
            Setting.number("prompt_dropout", 0.15, 0, false, 1),
            Setting.number("ema", 0.995, 0, false, 0.99999),
            Setting.number("max_grad_norm", 0, 0, false, TrainingSettings.MAX_STEPS));
}
