package io.prefloop.trainer.job.settings;

import io.prefloop.model.checkpoint.CheckpointId;
import java.util.Optional;

/**
 * Where DDPO's and DPOK's reward comes from (the {@code reward} setting): {@value #ORACLE}, the
 * shapes world's built-in oracle score, or an image reward model checkpoint {@code name/version},
 * scored on its normaliser's scale.
 */
public record RewardSource(CheckpointId checkpoint) {

    public static final String ORACLE = "oracle";
    static final Setting SETTING = Setting.text("reward", ORACLE);

    /** @throws InvalidSettingException naming {@code reward} when the value is neither form */
    public static RewardSource parse(String value) {
        if (value.equals(ORACLE)) {
            return new RewardSource(null);
        }
        try {
            return new RewardSource(CheckpointId.parse(value));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("reward", "must be \"" + ORACLE
                    + "\" or a reward model checkpoint as name/version, not " + value);
        }
    }

    /** The reward model's checkpoint; empty for the oracle. */
    public Optional<CheckpointId> model() {
        return Optional.ofNullable(checkpoint);
    }
}
