package io.prefloop.model.diffusion.rl;

/**
 * How DDPO-IS trains on one sampled batch (ddpo-pytorch config/base.py names in brackets).
 *
 * @param trainBatch trajectories per gradient update [train.batch_size]
 * @param innerEpochs passes over the sampled batch [train.num_inner_epochs]
 * @param timestepFraction share of each trajectory's steps trained on [train.timestep_fraction]
 * @param clipRange ε of the clipped ratio [train.clip_range, 1e-4]
 * @param advClipMax advantages are clipped to ±this [train.adv_clip_max, 5]
 */
public record DdpoConfig(int trainBatch, int innerEpochs, double timestepFraction, double clipRange,
        double advClipMax) {}
