package io.prefloop.trainer.job.settings;

import java.util.regex.Pattern;

/**
 * Settings of a method that optimises against a text reward model's score (PPO, RLOO):
 * {@code reward_model} is {@code "name/version"}, or {@code "name"} for the model's current
 * (promoted) checkpoint. The form is checked here; that the checkpoint exists and is a text reward
 * model is checked when the job is created and again when it starts.
 */
public interface UsesRewardModel {

    Pattern REFERENCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/v[0-9]+)?");

    Setting REWARD_MODEL = Setting.text("reward_model");

    String rewardModel();

    /** @throws InvalidSettingException naming reward_model when it is empty or malformed */
    static void check(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new InvalidSettingException("reward_model",
                    "is required: a text reward model as \"name/version\", or \"name\" for its current checkpoint");
        }
        if (!REFERENCE.matcher(reference).matches()) {
            throw new InvalidSettingException("reward_model", "must be \"name/version\" (e.g. replies-reward/v0002) or"
                    + " \"name\", not \"" + reference + "\"");
        }
    }
}
