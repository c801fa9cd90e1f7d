package io.prefloop.model.text.rl;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.reward.RewardNormalizer;
import io.prefloop.model.reward.RewardTrainer;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.text.Generation;
import io.prefloop.model.text.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A text reward model's scalar on (prompt, completion), on the scale of its stored
 * {@link RewardNormalizer} (0 = its reference set's mean, 1 = one standard deviation), so that β and
 * missing_eos_penalty mean the same for every reward checkpoint. The completion is scored as the
 * reward model was trained: its text followed by EOS.
 */
public final class RewardModelScore implements RewardFunction {

    private static final int BATCH = 64;

    private final TextRewardModel model;
    private final RewardNormalizer normalizer;
    private final TextTokenizer tokenizer;

    public RewardModelScore(TextRewardModel model, RewardNormalizer normalizer, TextTokenizer tokenizer) {
        this.model = model;
        this.normalizer = normalizer;
        this.tokenizer = tokenizer;
    }

    @Override
    public double[] score(NDManager manager, List<String> prompts, List<Generation> completions) {
        double[] out = new double[prompts.size()];
        for (int start = 0; start < prompts.size(); start += BATCH) {
            int end = Math.min(prompts.size(), start + BATCH);
            List<String> texts = new ArrayList<>();
            completions.subList(start, end).forEach(g -> texts.add(g.text()));
            try (NDManager sub = manager.newSubManager()) {
                float[] raw = RewardTrainer.score(model, sub, model.inputs(sub, tokenizer, prompts.subList(start, end), texts));
                for (int i = 0; i < raw.length; i++) {
                    out[start + i] = normalizer.normalize(raw[i]);
                }
            }
        }
        return out;
    }
}
