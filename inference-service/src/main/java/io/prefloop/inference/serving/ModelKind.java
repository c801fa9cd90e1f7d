package io.prefloop.inference.serving;

import io.prefloop.model.family.Serves;
import java.util.Locale;

/** What a loaded model serves, under the names the API shows ({@code "kind"} in GET /v1/models). */
public enum ModelKind {
    DIFFUSION,
    LANGUAGE,
    TEXT_REWARD,
    IMAGE_REWARD;

    public static ModelKind of(Serves serves) {
        return switch (serves) {
            case IMAGES -> DIFFUSION;
            case COMPLETIONS -> LANGUAGE;
            case TEXT_REWARDS -> TEXT_REWARD;
            case IMAGE_REWARDS -> IMAGE_REWARD;
        };
    }

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
