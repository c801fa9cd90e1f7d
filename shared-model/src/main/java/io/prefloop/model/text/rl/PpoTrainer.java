package io.prefloop.model.text.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.TextTokenizer;
import io.prefloop.model.text.TokenBatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * PPO for a language model with a KL penalty to a frozen reference (Ziegler et al. 2019;
 * Ouyang et al. 2022, InstructGPT), one batch of rollouts per {@link #step}, as TRL's PPOTrainer:
 * sample completions, score them, shape per-token rewards −β·KL_t plus the score at the last token
 * ({@link KlPenalty}), GAE advantages ({@link Gae}) whitened over the batch, then
 * {@code num_ppo_epochs} passes of {@code num_mini_batches} Adam steps on the clipped surrogate plus
 * vf_coef × the clipped value loss. After the batch the KL controller sees the batch's mean KL.
 * Metrics carry TRL's names; the per-update ones are averaged over the batch's updates.
 */
public final class PpoTrainer {

    private final PolicyWithValueHead model;
    private final RolloutSampler sampler;
    private final KlController kl;
    private final PpoConfig config;
    private final OptimizerStep optimizer;
    private final TextTokenizer tokenizer;

    /** @param optimizer over {@code model}: the policy and its value head */
    public PpoTrainer(PolicyWithValueHead model, RolloutSampler sampler, KlController kl, PpoConfig config,
            OptimizerStep optimizer, TextTokenizer tokenizer) {
        this.model = model;
        this.sampler = sampler;
        this.kl = kl;
        this.config = config;
        this.optimizer = optimizer;
        this.tokenizer = tokenizer;
    }

    public KlController klController() {
        return kl;
    }

    /** One batch: rollouts on {@code prompts} (prompt i sampled with stream i of {@code seed}), then the updates. */
    public Map<String, Double> step(NDManager parent, List<String> prompts, long seed) {
        Rollouts rollouts = sampler.sample(parent, prompts, seed);
        int n = rollouts.size();
        double beta = kl.value();
        float[][] advantages = new float[n][];
        float[][] returns = new float[n][];
        Gae gae = config.gae();
        for (int i = 0; i < n; i++) {
            float[] rewards = KlPenalty.rewards(rollouts.logProbs()[i], rollouts.refLogProbs()[i], rollouts.scores()[i],
                    beta);
            advantages[i] = gae.advantages(rewards, rollouts.values()[i]);
            returns[i] = Gae.returns(advantages[i], rollouts.values()[i]);
        }
        advantages = Whitening.whiten(advantages, true);

        Updates updates = new Updates();
        Random random = new Random(seed);
        for (int epoch = 0; epoch < config.ppoEpochs(); epoch++) {
            for (int[] minibatch : Minibatches.of(n, config.miniBatches(), random)) {
                update(parent, rollouts, minibatch, advantages, returns, updates);
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        RolloutObjective.put(metrics, rollouts, beta);
        updates.put(metrics);
        kl.update(metrics.get("objective/kl"), n);
        return metrics;
    }

    private void update(NDManager parent, Rollouts rollouts, int[] indices, float[][] advantages, float[][] returns,
            Updates updates) {
        try (NDManager manager = parent.newSubManager()) {
            TokenBatch batch = rollouts.batch(manager, indices, tokenizer.padId());
            int width = (int) batch.tokens().getShape().get(1) - 1;
            NDArray mask = TokenLogProbs.mask(batch);
            NDArray oldLogProbs = rollouts.padded(manager, rollouts.logProbs(), indices, width);
            NDArray oldValues = rollouts.padded(manager, rollouts.values(), indices, width);
            NDArray advantage = rollouts.padded(manager, advantages, indices, width);
            NDArray target = rollouts.padded(manager, returns, indices, width);
            ClippedSurrogate.Result policy;
            ClippedValueLoss.Result value;
            NDArray logits;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDList out = model.logitsAndValues(new ParameterStore(manager, false), batch.inputs(), true);
                logits = RolloutSampler.scaled(out.get(0), sampler.sampling().temperature());
                NDArray logProbs = TokenLogProbs.of(logits, batch);
                NDArray values = out.get(1).get(new NDIndex(":, :-1"));
                policy = ClippedSurrogate.compute(logProbs, oldLogProbs, advantage, mask, config.cliprange());
                value = ClippedValueLoss.compute(values, oldValues, target, mask, config.cliprangeValue());
                collector.backward(policy.loss().add(value.loss().mul((float) config.vfCoef())));
            }
            optimizer.step();
            double entropy = ClippedSurrogate.maskedMean(TokenLogProbs.entropy(logits.stopGradient(), batch), mask)
                    .getFloat();
            updates.add(policy, value.loss().getFloat(), value.clipFraction(), entropy);
        }
    }

    /** Sums of the per-update statistics (TRL's stats tensors, averaged at the end). */
    static final class Updates {
        private int count;
        private double approxKl;
        private double clipFraction;
        private double policyLoss;
        private double valueLoss;
        private double valueClipFraction;
        private double entropy;
        private double ratio;

        void add(ClippedSurrogate.Result policy, double valueLoss, double valueClipFraction, double entropy) {
            count++;
            approxKl += policy.approxKl();
            clipFraction += policy.clipFraction();
            policyLoss += policy.loss().getFloat();
            this.valueLoss += valueLoss;
            this.valueClipFraction += valueClipFraction;
            this.entropy += entropy;
            ratio += policy.ratio();
        }

        void put(Map<String, Double> metrics) {
            metrics.put("policy/approxkl_avg", approxKl / count);
            metrics.put("policy/clipfrac_avg", clipFraction / count);
            metrics.put("loss/policy_avg", policyLoss / count);
            if (!Double.isNaN(valueLoss)) {
                metrics.put("loss/value_avg", valueLoss / count);
                metrics.put("val/clipfrac_avg", valueClipFraction / count);
            }
            metrics.put("policy/entropy_avg", entropy / count);
            metrics.put("val/ratio", ratio / count);
        }
    }
}
