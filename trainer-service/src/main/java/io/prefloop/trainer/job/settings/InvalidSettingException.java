package io.prefloop.trainer.job.settings;

/** Thrown by a settings record's constructor for a value, or a combination, it refuses. */
public class InvalidSettingException extends IllegalArgumentException {

    private final String setting;

    /** @param setting the JSON name of the setting at fault */
    public InvalidSettingException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }
}
