package io.prefloop.inference.serving;

import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.RewardNormalizer;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.text.TransformerLm;

/** The networks of one loaded checkpoint, by family. */
public sealed interface Networks {

    /** @param reference the checkpoint's recorded reference (for reward guidance), or null */
    record Diffusion(UNet policy, UNet reference, CheckpointId referenceId) implements Networks {}

    record Language(TransformerLm model) implements Networks {}

    record TextReward(TextRewardModel model, RewardNormalizer normalizer) implements Networks {}

    record ImageReward(ImageRewardModel model, RewardNormalizer normalizer) implements Networks {}
}
