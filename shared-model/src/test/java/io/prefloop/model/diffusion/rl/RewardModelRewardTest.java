package io.prefloop.model.diffusion.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.ImageRewardSpec;
import io.prefloop.model.reward.RewardNormalizer;
import io.prefloop.model.reward.RewardTrainer;
import io.prefloop.model.text.ByteTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reward model checkpoint scores on its normaliser's scale, and leaves the caller's images alone. */
class RewardModelRewardTest {

    @Test
    void scoresAreTheModelsRewardsNormalised() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(2);
            ByteTokenizer tokenizer = new ByteTokenizer();
            ImageRewardModel model = ImageRewardModel.create(ImageRewardSpec.shapes(tokenizer.vocabSize()), m);
            NDArray images = m.randomUniform(-1, 1, new Shape(3, 3, 16, 16));
            List<String> prompts = List.of("a red circle", "a blue square", "a green triangle");
            float[] raw = RewardTrainer.score(model, m, model.inputs(m, tokenizer, images, prompts));
            double[] scored = new RewardModelReward(model, new RewardNormalizer(1, 2)).score(images, prompts);
            for (int i = 0; i < raw.length; i++) {
                assertThat(scored[i]).isCloseTo((raw[i] - 1) / 2.0, within(1e-5));
            }
            assertThat(images.getShape()).as("still usable after scoring").isEqualTo(new Shape(3, 3, 16, 16));
            assertThat(images.toFloatArray()).hasSize(3 * 3 * 16 * 16);
        }
    }
}
