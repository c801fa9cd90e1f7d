package io.prefloop.trainer.job.settings;

import io.prefloop.model.reward.TiePolicy;

/** A Bradley–Terry reward model: InstructGPT's margin, TRL's reward centring, and what a tie counts as. */
public record RewardModelSettings(TrainingSettings training, double margin, double centerRewardsCoefficient,
        TiePolicy ties, double heldoutFraction) implements MethodSettings, HeldOutSplit {

    public static final SettingsSchema<RewardModelSettings> SCHEMA = SettingsSchema.of(RewardModelSettings.class,
            TrainingSettings.COMMON,
            Setting.number("margin", 0, 0, false, 100),
            Setting.number("center_rewards_coefficient", 0, 0, false, 10),
            Setting.choice("ties", "drop", "drop", "half"),
            HELD_OUT);
}
