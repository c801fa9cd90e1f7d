package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** A reward per generated image given its prompt: what DDPO and DPOK maximise. */
@FunctionalInterface
public interface RewardFunction {

    /** @param images (N, C, H, W) in [−1, 1]; {@code prompts} row by row */
    double[] score(NDArray images, List<String> prompts);
}
