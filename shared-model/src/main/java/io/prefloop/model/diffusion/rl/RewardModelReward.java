package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.RewardNormalizer;
import io.prefloop.model.reward.RewardTrainer;
import io.prefloop.model.text.ByteTokenizer;
import java.util.List;

/**
 * An image reward-model checkpoint as the reward, on the scale of its {@link RewardNormalizer}
 * (0 = the reference set's average, 1 = one standard deviation above), so that reward numbers of
 * different checkpoints compare.
 */
public final class RewardModelReward implements RewardFunction {

    private final ImageRewardModel model;
    private final RewardNormalizer normalizer;
    private final ByteTokenizer tokenizer = new ByteTokenizer();

    public RewardModelReward(ImageRewardModel model, RewardNormalizer normalizer) {
        this.model = model;
        this.normalizer = normalizer;
    }

    @Override
    public double[] score(NDArray images, List<String> prompts) {
        try (NDManager m = images.getManager().newSubManager()) {
            images.tempAttach(m);
            float[] raw = RewardTrainer.score(model, m, model.inputs(m, tokenizer, images, prompts));
            double[] out = new double[raw.length];
            for (int i = 0; i < raw.length; i++) {
                out[i] = normalizer.normalize(raw[i]);
            }
            return out;
        }
    }
}
