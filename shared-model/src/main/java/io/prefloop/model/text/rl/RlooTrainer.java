package io.prefloop.model.text.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.TextTokenizer;
import io.prefloop.model.text.TokenBatch;
import io.prefloop.model.text.TransformerLm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * RLOO (Ahmadian et al. 2024) as TRL's RLOOTrainer (0.11–0.19) computes it: k completions per
 * prompt, each with the sequence-level reward r = score − β·Σ_t KL_t (k1), the leave-one-out
 * advantage ({@link LeaveOneOut}), no value model; then {@code num_ppo_epochs} passes of the
 * clipped surrogate on the sequence's ratio exp(Σ log π − Σ log π_old). The paper's RLOO is plain
 * REINFORCE (one update per batch, no clipping); with one epoch and one minibatch the ratio is 1 and
 * the gradient is the paper's; TRL's several clipped epochs reuse each batch, which we follow.
 */
public final class RlooTrainer {

    private final TransformerLm policy;
    private final RolloutSampler sampler;
    private final RlooConfig config;
    private final OptimizerStep optimizer;
    private final TextTokenizer tokenizer;

    public RlooTrainer(TransformerLm policy, RolloutSampler sampler, RlooConfig config, OptimizerStep optimizer,
            TextTokenizer tokenizer) {
        this.policy = policy;
        this.sampler = sampler;
        this.config = config;
        this.optimizer = optimizer;
        this.tokenizer = tokenizer;
    }

    /** One batch: k completions of each prompt (streams p·k … p·k + k − 1 of {@code seed}), then the updates. */
    public Map<String, Double> step(NDManager parent, List<String> prompts, long seed) {
        int k = config.rlooK();
        List<String> repeated = new ArrayList<>(prompts.size() * k);
        for (String p : prompts) {
            for (int j = 0; j < k; j++) {
                repeated.add(p);
            }
        }
        Rollouts rollouts = sampler.sample(parent, repeated, seed);
        int n = rollouts.size();
        double beta = config.klCoef();
        double[] rewards = new double[n];
        for (int i = 0; i < n; i++) {
            rewards[i] = rollouts.scores()[i] - beta * KlPenalty.sum(rollouts.logProbs()[i], rollouts.refLogProbs()[i]);
        }
        double[] advantages = LeaveOneOut.advantages(rewards, k);
        if (config.normalizeAdvantage()) {
            advantages = LeaveOneOut.normalized(advantages);
        }

        PpoTrainer.Updates updates = new PpoTrainer.Updates();
        Random random = new Random(seed);
        for (int epoch = 0; epoch < config.ppoEpochs(); epoch++) {
            for (int[] minibatch : Minibatches.of(n, config.miniBatches(), random)) {
                update(parent, rollouts, minibatch, advantages, updates);
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        RolloutObjective.put(metrics, rollouts, beta);
        updates.put(metrics);
        return metrics;
    }

    private void update(NDManager parent, Rollouts rollouts, int[] indices, double[] advantages,
            PpoTrainer.Updates updates) {
        try (NDManager manager = parent.newSubManager()) {
            TokenBatch batch = rollouts.batch(manager, indices, tokenizer.padId());
            NDArray mask = TokenLogProbs.mask(batch);
            float[] oldSums = new float[indices.length];
            float[] advantage = new float[indices.length];
            for (int r = 0; r < indices.length; r++) {
                for (float lp : rollouts.logProbs()[indices[r]]) {
                    oldSums[r] += lp;
                }
                advantage[r] = (float) advantages[indices[r]];
            }
            NDArray old = manager.create(oldSums);
            NDArray rows = old.onesLike();
            ClippedSurrogate.Result result;
            NDArray logits;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                logits = RolloutSampler.scaled(policy.forward(new ParameterStore(manager, false), batch.inputs(), true)
                        .head(), sampler.sampling().temperature());
                NDArray sums = TokenLogProbs.of(logits, batch).sum(new int[] {1});
                result = ClippedSurrogate.compute(sums, old, manager.create(advantage), rows, config.cliprange());
                collector.backward(result.loss());
            }
            optimizer.step();
            double entropy = ClippedSurrogate.maskedMean(TokenLogProbs.entropy(logits.stopGradient(), batch), mask)
                    .getFloat();
            updates.add(result, Double.NaN, Double.NaN, entropy);
        }
    }
}
