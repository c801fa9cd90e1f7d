package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** Mean pixel value per image: a trivial reward whose optimum is obvious (for tests). */
public final class BrightnessReward implements RewardFunction {

    @Override
    public double[] score(NDArray images, List<String> prompts) {
        long n = images.getShape().get(0);
        float[] v = images.reshape(n, -1).mean(new int[] {1}).toFloatArray();
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
