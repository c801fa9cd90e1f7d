package io.prefloop.trainer.job.settings;

/**
 * A method's typed hyperparameters (as TRL has a config class per trainer), bound from the job's
 * JSON by its {@link SettingsSchema}, which holds the defaults and bounds next to the record.
 */
public sealed interface MethodSettings permits PretrainSettings, RewardModelSettings, DpoSettings,
        DiffusionDpoSettings, DcoSettings, D3poSettings, SftSettings, PpoSettings, RlooSettings, DdpoSettings,
        DpokSettings {

    TrainingSettings training();
}
