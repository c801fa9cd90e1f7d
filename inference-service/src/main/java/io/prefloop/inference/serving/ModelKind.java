package io.prefloop.inference.serving;

import java.util.Locale;
import java.util.Map;

/** The model families the service can serve, told apart by the manifest's architecture map. */
public enum ModelKind {
    DIFFUSION,
    LANGUAGE,
    TEXT_REWARD,
    IMAGE_REWARD;

    public static ModelKind of(Map<String, Object> architecture) {
        if ("unet-eps".equals(architecture.get("family"))) {
            return DIFFUSION;
        }
        Object type = architecture.get("type");
        if ("causal_transformer".equals(type)) {
            return LANGUAGE;
        }
        if ("text_reward_model".equals(type)) {
            return TEXT_REWARD;
        }
        if ("image_reward_convnet".equals(type)) {
            return IMAGE_REWARD;
        }
        throw new IllegalArgumentException("unknown architecture (family " + architecture.get("family")
                + ", type " + type + ")");
    }

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
