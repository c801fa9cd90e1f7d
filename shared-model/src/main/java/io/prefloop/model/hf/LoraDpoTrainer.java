package io.prefloop.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoLoss;
import io.prefloop.model.text.DpoMetrics;
import io.prefloop.model.text.PromptCompletion;
import io.prefloop.model.text.SequenceLogProbs;
import io.prefloop.model.text.TokenBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * DPO on a {@link LlamaForCausalLM} with LoRA adapters, one optimiser step per call, as TRL's
 * DPOTrainer does with a PEFT model: the policy is the model with its adapters on, the reference is
 * the same model with its adapters off ({@link LlamaForCausalLM#setAdaptersEnabled}), which computes
 * the frozen base exactly, so no second copy of the model is kept.
 *
 * <p>Each step: the chosen and rejected completions are put in one right-padded batch (rows 0..n−1
 * chosen, n..2n−1 rejected, {@link TokenBatch}); the reference's completion-only log-probabilities
 * are computed first, adapters off, outside the gradient collector, and detached; then the policy's
 * (adapters on, with gradient), {@link DpoLoss}, backward, and one step of the optimiser, which
 * should hold the adapters only ({@code OptimizerStep.adam(model.lora(), lr)}). Log-probabilities
 * are summed over completion tokens ({@link SequenceLogProbs}), or per-token means for the
 * length-normalised loss types (IPO); rpo_alpha adds the chosen completions' NLL as in TRL.
 */
public final class LoraDpoTrainer {

    /** Padding id of the batch: any id works, padded positions are masked out of attention and log-probs. */
    static final int PAD_ID = 0;

    /**
     * A preference pair as token ids: the prompt (with its BOS if the model uses one) and the two
     * completions (with their EOS if wanted); none empty.
     */
    public record PreferenceIds(int[] prompt, int[] chosen, int[] rejected) {
        public PreferenceIds {
            if (prompt.length == 0 || chosen.length == 0 || rejected.length == 0) {
                throw new IllegalArgumentException("prompt, chosen and rejected each need at least one token");
            }
        }
    }

    /** Per-pair log-probabilities (summed, or per-token means when length-normalised) of the two completions. */
    public record PairLogProbs(float[] chosen, float[] rejected) {}

    private final LlamaForCausalLM model;
    private final DpoLoss loss;
    private final boolean lengthNormalised;
    private final OptimizerStep optimizer;

    /**
     * @param model the model with its adapters ({@link LlamaForCausalLM#addLora} or {@link LoraAdapters#load})
     * @param optimizer over the adapters only, e.g. {@code OptimizerStep.adam(model.lora(), 1e-3f)}
     */
    public LoraDpoTrainer(LlamaForCausalLM model, DpoConfig config, OptimizerStep optimizer) {
        if (model.lora() == null) {
            throw new IllegalArgumentException("the model has no LoRA adapters: add them before DPO");
        }
        this.model = model;
        this.loss = new DpoLoss(config);
        this.lengthNormalised = config.lossType().lengthNormalised();
        this.optimizer = optimizer;
    }

    /** One DPO step on {@code pairs}; the metrics are those of the batch before the update. */
    public DpoMetrics step(NDManager parent, List<PreferenceIds> pairs) {
        try (NDManager manager = parent.newSubManager()) {
            int n = pairs.size();
            TokenBatch batch = batch(manager, pairs);
            // the reference first, adapters off, outside the gradient collector, detached
            NDArray ref = withAdapters(false, () -> logProbs(manager, batch, false).selected).stopGradient();
            NDArray refChosen = ref.get(new NDIndex("0:{}", n));
            NDArray refRejected = ref.get(new NDIndex("{}:", n));
            DpoMetrics metrics;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                Scored policy = withAdapters(true, () -> logProbs(manager, batch, true));
                DpoLoss.Result result = loss.compute(policy.selected.get(new NDIndex("0:{}", n)),
                        policy.selected.get(new NDIndex("{}:", n)), refChosen, refRejected, chosenNll(policy.all, n));
                collector.backward(result.loss());
                metrics = result.metrics();
            }
            optimizer.step();
            return metrics;
        }
    }

    /** The loss and metrics on {@code pairs} without a gradient or an update (e.g. held-out pairs). */
    public DpoMetrics evaluate(NDManager parent, List<PreferenceIds> pairs) {
        try (NDManager manager = parent.newSubManager()) {
            int n = pairs.size();
            TokenBatch batch = batch(manager, pairs);
            NDArray ref = withAdapters(false, () -> logProbs(manager, batch, false).selected);
            Scored policy = withAdapters(true, () -> logProbs(manager, batch, false));
            return loss.compute(policy.selected.get(new NDIndex("0:{}", n)), policy.selected.get(new NDIndex("{}:", n)),
                    ref.get(new NDIndex("0:{}", n)), ref.get(new NDIndex("{}:", n)), chosenNll(policy.all, n)).metrics();
        }
    }

    /** The reference's log-probabilities of the completions: the model with its adapters off. */
    public PairLogProbs referenceLogProbs(NDManager parent, List<PreferenceIds> pairs) {
        return withAdapters(false, () -> completionLogProbs(model, parent, pairs, lengthNormalised));
    }

    /** The policy's log-probabilities of the completions: the model with its adapters on. */
    public PairLogProbs policyLogProbs(NDManager parent, List<PreferenceIds> pairs) {
        return withAdapters(true, () -> completionLogProbs(model, parent, pairs, lengthNormalised));
    }

    /**
     * Completion-only log-probabilities of {@code pairs} under {@code model} as it stands (with or
     * without adapters), without a gradient, batched exactly as a training step batches them.
     *
     * @param lengthNormalised per-token means instead of sums
     */
    public static PairLogProbs completionLogProbs(LlamaForCausalLM model, NDManager parent, List<PreferenceIds> pairs,
            boolean lengthNormalised) {
        try (NDManager manager = parent.newSubManager()) {
            int n = pairs.size();
            TokenBatch batch = batch(manager, pairs, model.config().maxPositionEmbeddings());
            NDArray logits = model.forward(new ParameterStore(manager, false), batch.inputs(), false).head();
            SequenceLogProbs all = SequenceLogProbs.of(logits, batch);
            NDArray selected = lengthNormalised ? all.mean() : all.sum();
            return new PairLogProbs(selected.get(new NDIndex("0:{}", n)).toFloatArray(),
                    selected.get(new NDIndex("{}:", n)).toFloatArray());
        }
    }

    private record Scored(SequenceLogProbs all, NDArray selected) {}

    private Scored logProbs(NDManager manager, TokenBatch batch, boolean training) {
        // a store that does not copy: the adapters' arrays themselves, so their gradients reach the optimiser
        NDArray logits = model.forward(new ParameterStore(manager, false), batch.inputs(), training).head();
        SequenceLogProbs all = SequenceLogProbs.of(logits, batch);
        return new Scored(all, lengthNormalised ? all.mean() : all.sum());
    }

    /** TRL's nll_loss: cross-entropy over every chosen completion token of the batch. */
    private static NDArray chosenNll(SequenceLogProbs all, int n) {
        return all.sum().get(new NDIndex("0:{}", n)).sum().neg()
                .div(all.tokenCount().get(new NDIndex("0:{}", n)).sum().maximum(1f));
    }

    private <T> T withAdapters(boolean enabled, java.util.function.Supplier<T> body) {
        boolean before = model.adaptersEnabled();
        model.setAdaptersEnabled(enabled);
        try {
            return body.get();
        } finally {
            model.setAdaptersEnabled(before);
        }
    }

    private TokenBatch batch(NDManager manager, List<PreferenceIds> pairs) {
        return batch(manager, pairs, model.config().maxPositionEmbeddings());
    }

    /** Rows 0..n−1 prompt+chosen, rows n..2n−1 prompt+rejected, right-padded. */
    static TokenBatch batch(NDManager manager, List<PreferenceIds> pairs, int maxLength) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no preference pairs");
        }
        List<PromptCompletion> rows = new ArrayList<>();
        for (PreferenceIds p : pairs) {
            rows.add(new PromptCompletion(p.prompt(), p.chosen()));
        }
        for (PreferenceIds p : pairs) {
            rows.add(new PromptCompletion(p.prompt(), p.rejected()));
        }
        return TokenBatch.of(manager, rows, PAD_ID, maxLength);
    }
}
