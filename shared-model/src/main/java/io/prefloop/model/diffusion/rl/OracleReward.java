package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.ShapesBatch;
import io.prefloop.model.shapes.ShapesOracle;
import java.util.List;

/**
 * The shapes oracle's graded score (1 for an aligned image, plus half the colour purity and half the
 * shape IoU; 0 to 2) as a reward: the built-in reward {@code "oracle"} for the shapes world.
 */
public final class OracleReward implements RewardFunction {

    private final int size;
    private final ShapesOracle oracle;

    public OracleReward(int imageSize) {
        this.size = imageSize;
        this.oracle = new ShapesOracle(imageSize);
    }

    @Override
    public double[] score(NDArray images, List<String> prompts) {
        float[] flat = images.toFloatArray();
        double[] out = new double[prompts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = oracle.judge(ShapesBatch.row(flat, i, size), Prompt.parse(prompts.get(i))).score();
        }
        return out;
    }
}
