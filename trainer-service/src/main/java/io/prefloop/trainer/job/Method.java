package io.prefloop.trainer.job;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a job trains, and whether it learns from a feedback project's comparisons. */
public enum Method {
    PRETRAIN(false),
    REWARD_MODEL(true),
    DPO(true),
    DIFFUSION_DPO(true),
    DCO(false),
    D3PO(true);

    private final boolean needsProject;

    Method(boolean needsProject) {
        this.needsProject = needsProject;
    }

    public boolean needsProject() {
        return needsProject;
    }

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Method parse(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
