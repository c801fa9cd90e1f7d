package io.prefloop.model.text;

import io.prefloop.model.nn.OptimizerStep;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One DPO optimisation step per call, as TRL's DPOTrainer does it: chosen and rejected completions
 * go through the policy in one concatenated batch; the reference's log-probabilities come either
 * from a frozen reference model (run outside the gradient tape) or precomputed.
 */
public final class DpoTrainer {

    private final TransformerLm policy;
    private final TransformerLm reference;
    private final TextTokenizer tokenizer;
    private final DpoLoss loss;
    private final boolean lengthNormalised;
    private final OptimizerStep optimizer;

    /**
     * @param reference a frozen reference model, or null when every step receives precomputed
     *     reference log-probabilities
     */
    public DpoTrainer(TransformerLm policy, TransformerLm reference, TextTokenizer tokenizer, DpoConfig config,
            OptimizerStep optimizer) {
        this.policy = policy;
        this.reference = reference;
        this.tokenizer = tokenizer;
        this.loss = new DpoLoss(config);
        this.lengthNormalised = config.lossType().lengthNormalised();
        this.optimizer = optimizer;
    }

    /** A step that scores the pairs with the reference model. */
    public DpoMetrics step(NDManager manager, List<TextPreference> pairs) {
        if (reference == null) {
            throw new IllegalStateException("no reference model: pass precomputed reference log-probabilities");
        }
        return step(manager, pairs, null);
    }

    /**
     * The loss and metrics on pairs without a gradient or an update (for held-out pairs). Besides
     * TRL's metrics the map has {@code ref_logps/chosen}, the reference's log-probability of the
     * chosen completions, so that a caller can tell whether the policy made them less likely.
     */
    public Map<String, Double> evaluate(NDManager parent, List<TextPreference> pairs) {
        if (reference == null) {
            throw new IllegalStateException("no reference model to evaluate against");
        }
        try (NDManager manager = parent.newSubManager()) {
            int n = pairs.size();
            TokenBatch batch = concatenated(manager, pairs);
            NDArray ref = referenceLogProbs(manager, batch);
            NDArray logits = policy.forward(new ParameterStore(manager, false), batch.inputs(), false).head();
            SequenceLogProbs all = SequenceLogProbs.of(logits, batch);
            NDArray logps = select(all);
            NDArray chosenNll = chosenNll(all, n);
            NDArray refChosen = ref.get(new NDIndex("0:{}", n));
            return new LinkedHashMap<>(loss.compute(logps.get(new NDIndex("0:{}", n)),
                    logps.get(new NDIndex("{}:", n)), refChosen, ref.get(new NDIndex("{}:", n)), chosenNll).metrics()
                    .toMap());
        }
    }

    /**
     * @param precomputed one entry per pair, or null to run the reference model
     */
    public DpoMetrics step(NDManager parent, List<TextPreference> pairs, List<ReferenceLogProbs> precomputed) {
        if (precomputed != null && precomputed.size() != pairs.size()) {
            throw new IllegalArgumentException(precomputed.size() + " reference entries for " + pairs.size() + " pairs");
        }
        try (NDManager manager = parent.newSubManager()) {
            int n = pairs.size();
            TokenBatch batch = concatenated(manager, pairs);
            NDArray refChosen;
            NDArray refRejected;
            if (precomputed == null) {
                NDArray ref = referenceLogProbs(manager, batch);
                refChosen = ref.get(new NDIndex("0:{}", n));
                refRejected = ref.get(new NDIndex("{}:", n));
            } else {
                float[] c = new float[n];
                float[] r = new float[n];
                for (int i = 0; i < n; i++) {
                    c[i] = (float) precomputed.get(i).chosen(lengthNormalised);
                    r[i] = (float) precomputed.get(i).rejected(lengthNormalised);
                }
                refChosen = manager.create(c);
                refRejected = manager.create(r);
            }
            DpoMetrics metrics;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray logits = policy.forward(new ParameterStore(manager, false), batch.inputs(), true).head();
                SequenceLogProbs all = SequenceLogProbs.of(logits, batch);
                NDArray logps = select(all);
                NDArray chosenNll = chosenNll(all, n);
                DpoLoss.Result result = loss.compute(logps.get(new NDIndex("0:{}", n)), logps.get(new NDIndex("{}:", n)),
                        refChosen, refRejected, chosenNll);
                collector.backward(result.loss());
                metrics = result.metrics();
            }
            optimizer.step();
            return metrics;
        }
    }

    /** Reference log-probabilities for a data set, in batches (TRL's precompute_ref_log_probs). */
    public static List<ReferenceLogProbs> precompute(NDManager parent, TransformerLm reference, TextTokenizer tokenizer,
            List<TextPreference> pairs, int batchSize) {
        List<ReferenceLogProbs> out = new ArrayList<>();
        for (int start = 0; start < pairs.size(); start += batchSize) {
            List<TextPreference> chunk = pairs.subList(start, Math.min(pairs.size(), start + batchSize));
            try (NDManager manager = parent.newSubManager()) {
                TokenBatch batch = concatenated(manager, tokenizer, reference.spec().maxLength(), chunk);
                NDArray logits = reference.forward(new ParameterStore(manager, false), batch.inputs(), false).head();
                SequenceLogProbs lp = SequenceLogProbs.of(logits, batch);
                float[] sums = lp.sum().toFloatArray();
                float[] counts = lp.tokenCount().toFloatArray();
                int n = chunk.size();
                for (int i = 0; i < n; i++) {
                    out.add(new ReferenceLogProbs(sums[i], (int) counts[i], sums[n + i], (int) counts[n + i]));
                }
            }
        }
        return out;
    }

    /** TRL's nll_loss: cross-entropy over every chosen completion token of the batch (0 when there are none). */
    private static NDArray chosenNll(SequenceLogProbs all, int n) {
        return all.sum().get(new NDIndex("0:{}", n)).sum().neg()
                .div(all.tokenCount().get(new NDIndex("0:{}", n)).sum().maximum(1f));
    }

    private NDArray referenceLogProbs(NDManager manager, TokenBatch batch) {
        // outside the gradient collector, with a store that does not copy: no tape, no gradient
        NDArray logits = reference.forward(new ParameterStore(manager, false), batch.inputs(), false).head();
        return select(SequenceLogProbs.of(logits, batch)).stopGradient();
    }

    private NDArray select(SequenceLogProbs logProbs) {
        return lengthNormalised ? logProbs.mean() : logProbs.sum();
    }

    private TokenBatch concatenated(NDManager manager, List<TextPreference> pairs) {
        return concatenated(manager, tokenizer, policy.spec().maxLength(), pairs);
    }

    /** Rows 0..n−1 are the chosen completions, rows n..2n−1 the rejected ones. */
    static TokenBatch concatenated(NDManager manager, TextTokenizer tokenizer, int maxLength, List<TextPreference> pairs) {
        List<PromptCompletion> rows = new ArrayList<>();
        for (TextPreference p : pairs) {
            rows.add(PromptCompletion.encode(tokenizer, p.prompt(), p.chosen()));
        }
        for (TextPreference p : pairs) {
            rows.add(PromptCompletion.encode(tokenizer, p.prompt(), p.rejected()));
        }
        return TokenBatch.of(manager, rows, tokenizer.padId(), maxLength);
    }
}
