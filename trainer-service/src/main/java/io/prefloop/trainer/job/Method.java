package io.prefloop.trainer.job;

import com.fasterxml.jackson.annotation.JsonValue;
import io.prefloop.trainer.job.settings.D3poSettings;
import io.prefloop.trainer.job.settings.DcoSettings;
import io.prefloop.trainer.job.settings.DdpoSettings;
import io.prefloop.trainer.job.settings.DiffusionDpoSettings;
import io.prefloop.trainer.job.settings.DpoSettings;
import io.prefloop.trainer.job.settings.DpokSettings;
import io.prefloop.trainer.job.settings.MethodSettings;
import io.prefloop.trainer.job.settings.PpoSettings;
import io.prefloop.trainer.job.settings.PretrainSettings;
import io.prefloop.trainer.job.settings.RewardModelSettings;
import io.prefloop.trainer.job.settings.RlooSettings;
import io.prefloop.trainer.job.settings.SettingsSchema;
import io.prefloop.trainer.job.settings.SftSettings;
import java.util.Locale;
import java.util.Map;

/** What a job trains, and whether it learns from a feedback project's comparisons. */
public enum Method {
    PRETRAIN(false, PretrainSettings.SCHEMA),
    REWARD_MODEL(true, RewardModelSettings.SCHEMA),
    DPO(true, DpoSettings.SCHEMA),
    DIFFUSION_DPO(true, DiffusionDpoSettings.SCHEMA),
    DCO(false, DcoSettings.SCHEMA),
    D3PO(true, D3poSettings.SCHEMA),
    SFT(true, SftSettings.SCHEMA),
    PPO(true, PpoSettings.SCHEMA),
    RLOO(true, RlooSettings.SCHEMA),
    DDPO(true, DdpoSettings.SCHEMA),
    DPOK(true, DpokSettings.SCHEMA);

    private final boolean needsProject;
    private final SettingsSchema<? extends MethodSettings> settings;

    <S extends Record & MethodSettings> Method(boolean needsProject, SettingsSchema<S> settings) {
        this.needsProject = needsProject;
        this.settings = settings;
    }

    /**
     * The method's hyperparameters, checked: the request's values over the defaults, as stored
     * with the job and written into the manifest.
     *
     * @throws io.prefloop.common.web.ApiException 400 naming each bad key
     */
    public Map<String, Object> resolve(Map<String, Object> requested) {
        return settings.resolve(json(), requested);
    }

    /** The typed settings of stored hyperparameters (a key added since the job was queued takes its default). */
    public MethodSettings settings(Map<String, Object> hyperparameters) {
        return settings.bind(hyperparameters);
    }

    public boolean needsProject() {
        return needsProject;
    }

    /** Whether a job fine-tunes its model's current checkpoint (pretraining starts from scratch; a reward model may). */
    public boolean startsFromCurrentCheckpoint() {
        return this != PRETRAIN && this != REWARD_MODEL;
    }

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Method parse(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
