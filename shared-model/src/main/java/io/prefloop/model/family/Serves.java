package io.prefloop.model.family;

/** What a loaded model of a family answers: the inference-service routes requests by it. */
public enum Serves {
    IMAGES,
    COMPLETIONS,
    TEXT_REWARDS,
    IMAGE_REWARDS
}
