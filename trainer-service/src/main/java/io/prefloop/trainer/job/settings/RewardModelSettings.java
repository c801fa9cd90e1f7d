package io.prefloop.trainer.job.settings;

import io.prefloop.model.reward.TiePolicy;

/**
 * A Bradley–Terry reward model: InstructGPT's margin, TRL's reward centring, and what a tie counts as.
 * {@code init_from} ("name/version" of a language model checkpoint) starts a text reward model that has
 * no current checkpoint yet from that language model's transformer, as InstructGPT starts its reward
 * model from the SFT model, instead of from random weights.
 */
public record RewardModelSettings(TrainingSettings training, double margin, double centerRewardsCoefficient,
        TiePolicy ties, String initFrom, double heldoutFraction) implements MethodSettings, HeldOutSplit {

    public static final SettingsSchema<RewardModelSettings> SCHEMA = SettingsSchema.of(RewardModelSettings.class,
            TrainingSettings.COMMON,
            Setting.number("margin", 0, 0, false, 100),
            Setting.number("center_rewards_coefficient", 0, 0, false, 10),
            Setting.choice("ties", "drop", "drop", "half"),
            Setting.text("init_from"),
            HELD_OUT);

    public RewardModelSettings {
        if (!initFrom.isEmpty() && !initFrom.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new InvalidSettingException("init_from", "must be a language model checkpoint as \"name/version\","
                    + " not \"" + initFrom + "\"");
        }
    }
}
