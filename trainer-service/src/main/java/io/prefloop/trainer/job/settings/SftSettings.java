package io.prefloop.trainer.job.settings;

/**
 * Supervised fine-tuning on a project's demonstrations (and, with {@code data:
 * demonstrations_and_chosen}, the preferred side of its decisive comparisons): a language model's
 * completion-only cross-entropy, or a UNet's denoising loss with prompt dropout so that classifier-free
 * guidance keeps its unconditional branch. Defaults: docs/rl.md, "SFT".
 */
public record SftSettings(TrainingSettings training, Data data, double promptDropout, double heldoutFraction)
        implements MethodSettings, HeldOutSplit {

    /** What the job trains on. */
    public enum Data { DEMONSTRATIONS, DEMONSTRATIONS_AND_CHOSEN }

    public static final SettingsSchema<SftSettings> SCHEMA = SettingsSchema.of(SftSettings.class,
            TrainingSettings.COMMON,
            Setting.integer("steps", 100, 1, TrainingSettings.MAX_STEPS),
            Setting.integer("batch_size", 16, 1, 4096),
            Setting.number("learning_rate", 1e-4, 0, true, 1),
            Setting.choice("data", "demonstrations", "demonstrations", "demonstrations_and_chosen"),
            Setting.number("prompt_dropout", 0.1, 0, false, 1),
            HELD_OUT);
}
