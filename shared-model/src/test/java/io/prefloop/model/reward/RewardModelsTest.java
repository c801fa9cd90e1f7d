package io.prefloop.model.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.TransformerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RewardModelsTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();

    @Test
    void textRewardModelScoresARowTheSameAloneAndPadded() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextRewardModel model = TextRewardModel.create(new TransformerSpec(TOKENIZER.vocabSize(), 48, 16, 2, 1, 32), m);
            float alone = RewardTrainer.score(model, m, model.inputs(m, TOKENIZER, List.of("Q"), List.of("ok")))[0];
            float[] both = RewardTrainer.score(model, m,
                    model.inputs(m, TOKENIZER, List.of("Q", "a much longer prompt"), List.of("ok", "and reply")));
            assertThat(both[0]).isCloseTo(alone, within(1e-4f));
        }
    }

    @Test
    void textRewardModelLearnsAStylePreference() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextRewardModel model = TextRewardModel.create(new TransformerSpec(TOKENIZER.vocabSize(), 48, 16, 2, 1, 32), m);
            RewardTrainer trainer = new RewardTrainer(model, new BradleyTerryLoss(TiePolicy.DROP, 0),
                    OptimizerStep.adam(model, 3e-3f));
            List<String> prompts = List.of("sky?", "grass?", "snow?", "coal?");
            List<String> formal = List.of("It is blue.", "It is green.", "It is white.", "It is black.");
            List<String> casual = List.of("blue lol", "green lol", "white lol", "black lol");
            List<String> allPrompts = new ArrayList<>(prompts);
            allPrompts.addAll(prompts);
            List<String> completions = new ArrayList<>(formal);
            completions.addAll(casual);
            RewardMetrics metrics = null;
            for (int i = 0; i < 30; i++) {
                try (NDManager step = m.newSubManager()) {
                    metrics = trainer.step(step, model.inputs(step, TOKENIZER, allPrompts, completions), null, null);
                }
            }
            assertThat(metrics.accuracy()).isEqualTo(1.0);
            assertThat(metrics.loss()).isLessThan(0.3);
        }
    }

    @Test
    void imageRewardModelLearnsWhichColourThePromptAsksFor() {
        try (NDManager m = NDManager.newBaseManager()) {
            // seeded: 25 steps from an unseeded start missed the bar about one run in five
            ai.djl.engine.Engine.getInstance().setRandomSeed(1);
            ImageRewardModel model = ImageRewardModel.create(
                    new ImageRewardSpec(8, new int[] {8, 16}, new TransformerSpec(TOKENIZER.vocabSize(), 8, 16, 2, 1, 32)), m);
            RewardTrainer trainer = new RewardTrainer(model, new BradleyTerryLoss(TiePolicy.DROP, 0),
                    OptimizerStep.adam(model, 1e-2f));
            Random random = new Random(3);
            for (int i = 0; i < 25; i++) {
                try (NDManager step = m.newSubManager()) {
                    trainer.step(step, colourPairs(step, model, random, 8), null, null);
                }
            }
            try (NDManager eval = m.newSubManager()) {
                float[] rewards = RewardTrainer.score(model, eval, colourPairs(eval, model, random, 64));
                int correct = 0;
                for (int i = 0; i < 64; i++) {
                    correct += rewards[i] > rewards[64 + i] ? 1 : 0;
                }
                assertThat(correct / 64.0).isGreaterThanOrEqualTo(0.9);
            }
        }
    }

    /**
     * Synthetic stand-in for the shapes world: prompt "red" or "green"; the chosen image is noise
     * tinted with the asked colour, the rejected one with the other colour. Rows: n chosen, n rejected.
     */
    private static NDList colourPairs(NDManager m, ImageRewardModel model, Random random, int n) {
        int size = model.spec().imageSize();
        float[] pixels = new float[2 * n * 3 * size * size];
        List<String> prompts = new ArrayList<>();
        String[] names = {"red", "green"};
        int[] asked = new int[n];
        for (int i = 0; i < n; i++) {
            asked[i] = random.nextInt(2);
            prompts.add(names[asked[i]]);
        }
        prompts.addAll(new ArrayList<>(prompts));
        for (int row = 0; row < 2 * n; row++) {
            int colour = row < n ? asked[row] : 1 - asked[row - n];
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < size * size; p++) {
                    float base = c == colour ? 0.6f : -0.6f;
                    pixels[((row * 3) + c) * size * size + p] = base + (float) random.nextGaussian() * 0.3f;
                }
            }
        }
        NDArray images = m.create(pixels).reshape(2L * n, 3, size, size);
        return model.inputs(m, TOKENIZER, images, prompts);
    }
}
