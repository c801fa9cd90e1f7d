package io.prefloop.model.text.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.prefloop.model.text.Generation;
import io.prefloop.model.text.PromptCompletion;
import io.prefloop.model.text.SamplingParams;
import io.prefloop.model.text.TextGenerator;
import io.prefloop.model.text.TextTokenizer;
import io.prefloop.model.text.TokenBatch;
import io.prefloop.model.text.TransformerLm;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Samples completions from the current policy and scores them (TRL's rollout phase): the policy's
 * and the reference's per-token log-probabilities (logits divided by the temperature, as TRL), the
 * value head's values when there is one, and the reward function's score, minus
 * {@code missing_eos_penalty} for completions that did not end with EOS (TRL's option; 0 = none).
 * Nothing here records gradients.
 */
public final class RolloutSampler {

    private static final int FORWARD_BATCH = 64;

    private final TransformerLm policy;
    private final PolicyWithValueHead valued;
    private final TransformerLm reference;
    private final TextTokenizer tokenizer;
    private final RewardFunction reward;
    private final Sampling sampling;

    /**
     * How completions are sampled and penalised.
     *
     * @param maxTokens TRL's response_length
     * @param temperature TRL's temperature (its default 0.7; 1 samples the policy itself)
     * @param missingEosPenalty subtracted from the score of a completion without EOS (0 = none)
     */
    public record Sampling(int maxTokens, double temperature, double missingEosPenalty) {

        public Sampling {
            if (maxTokens < 1 || !(temperature > 0) || Double.isInfinite(temperature) || !(missingEosPenalty >= 0)
                    || Double.isInfinite(missingEosPenalty)) {
                throw new IllegalArgumentException("max_tokens >= 1, temperature > 0 and missing_eos_penalty >= 0");
            }
        }
    }

    /** @param valued the policy with its value head (PPO), or null (RLOO) */
    public RolloutSampler(TransformerLm policy, PolicyWithValueHead valued, TransformerLm reference,
            TextTokenizer tokenizer, RewardFunction reward, Sampling sampling) {
        this.policy = policy;
        this.valued = valued;
        this.reference = reference;
        this.tokenizer = tokenizer;
        this.reward = reward;
        this.sampling = sampling;
    }

    public Sampling sampling() {
        return sampling;
    }

    /** {@code prompts.get(i)} is sampled with stream i of {@code seed}. */
    public Rollouts sample(NDManager parent, List<String> prompts, long seed) {
        int n = prompts.size();
        List<Generation> generations;
        try (NDManager manager = parent.newSubManager()) {
            generations = new TextGenerator(policy, tokenizer).generate(manager, prompts,
                    new SamplingParams(sampling.maxTokens(), sampling.temperature(), 1.0, seed));
        }
        int maxLength = policy.spec().maxLength();
        List<PromptCompletion> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(new PromptCompletion(PromptCompletion.withBos(tokenizer, prompts.get(i)),
                    generations.get(i).tokens()).truncate(maxLength));
        }
        float[][] logProbs = new float[n][];
        float[][] refLogProbs = new float[n][];
        float[][] values = valued == null ? null : new float[n][];
        Rollouts partial = new Rollouts(prompts, generations, rows, logProbs, refLogProbs, values, null);
        for (int start = 0; start < n; start += FORWARD_BATCH) {
            int[] indices = IntStream.range(start, Math.min(n, start + FORWARD_BATCH)).toArray();
            try (NDManager manager = parent.newSubManager()) {
                TokenBatch batch = partial.batch(manager, indices, tokenizer.padId());
                ParameterStore store = new ParameterStore(manager, false);
                int width = (int) batch.tokens().getShape().get(1) - 1;
                NDArray logits;
                if (valued != null) {
                    NDList out = valued.logitsAndValues(store, batch.inputs(), false);
                    logits = out.get(0);
                    // the value at position t is that of the state before token t + 1: drop the last
                    copy(partial.ragged(out.get(1).get(":, :-1").toFloatArray(), indices, width), values, start);
                } else {
                    logits = policy.forward(store, batch.inputs(), false).head();
                }
                copy(partial.ragged(logProbs(logits, batch), indices, width), logProbs, start);
                NDArray refLogits = reference.forward(store, batch.inputs(), false).head();
                copy(partial.ragged(logProbs(refLogits, batch), indices, width), refLogProbs, start);
            }
        }
        double[] scores = reward.score(parent, prompts, generations);
        for (int i = 0; i < n; i++) {
            if (!generations.get(i).finished()) {
                scores[i] -= sampling.missingEosPenalty();
            }
        }
        return new Rollouts(prompts, generations, rows, logProbs, refLogProbs, values, scores);
    }

    /** Per-token log-probabilities at the sampling temperature, flat (B · (T − 1)). */
    private float[] logProbs(NDArray logits, TokenBatch batch) {
        return TokenLogProbs.of(scaled(logits, sampling.temperature()), batch).toFloatArray();
    }

    /** TRL divides the logits by the temperature wherever it takes log-probabilities. */
    static NDArray scaled(NDArray logits, double temperature) {
        return temperature == 1 ? logits : logits.div((float) temperature);
    }

    private static void copy(float[][] from, float[][] to, int start) {
        System.arraycopy(from, 0, to, start, from.length);
    }
}
