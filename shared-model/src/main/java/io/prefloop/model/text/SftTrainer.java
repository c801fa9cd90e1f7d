package io.prefloop.model.text;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.nn.OptimizerStep;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning on demonstrations (InstructGPT's first stage, Ouyang et al. 2022, §3.5):
 * next-token cross-entropy on the completion only, the prompt masked out, as TRL's SFTTrainer with
 * {@code completion_only_loss}. The loss is the mean over the batch's completion tokens (TRL's
 * default), not a mean of per-sequence means, so long demonstrations weigh more.
 */
public final class SftTrainer {

    /** A prompt and what the model should have answered. */
    public record Example(String prompt, String completion) {}

    private final TransformerLm policy;
    private final TransformerLm reference;
    private final TextTokenizer tokenizer;
    private final OptimizerStep optimizer;

    /** @param reference the frozen start, for {@link #evaluate}'s {@code ref_nll}; may be null */
    public SftTrainer(TransformerLm policy, TransformerLm reference, TextTokenizer tokenizer, OptimizerStep optimizer) {
        this.policy = policy;
        this.reference = reference;
        this.tokenizer = tokenizer;
        this.optimizer = optimizer;
    }

    /** One update; returns {@code loss} (per completion token) and {@code tokens}. */
    public Map<String, Double> step(NDManager parent, List<Example> examples) {
        try (NDManager manager = parent.newSubManager()) {
            TokenBatch batch = batch(manager, examples);
            double loss;
            double tokens;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = policy.forward(new ParameterStore(manager, false), batch.inputs(), true).head();
                SequenceLogProbs lp = SequenceLogProbs.of(logits, batch);
                NDArray count = lp.tokenCount().sum();
                NDArray l = lp.sum().sum().neg().div(count.maximum(1f));
                collector.backward(l);
                loss = l.getFloat();
                tokens = count.getFloat();
            }
            optimizer.step();
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", loss);
            metrics.put("tokens", tokens);
            return metrics;
        }
    }

    /**
     * Negative log-likelihood per completion token of the policy ({@code nll}) and, when there is a
     * reference, of the reference ({@code ref_nll}), over {@code examples}.
     */
    public Map<String, Double> evaluate(NDManager parent, List<Example> examples) {
        try (NDManager manager = parent.newSubManager()) {
            TokenBatch batch = batch(manager, examples);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("nll", nll(policy, manager, batch));
            if (reference != null) {
                metrics.put("ref_nll", nll(reference, manager, batch));
            }
            return metrics;
        }
    }

    private static double nll(TransformerLm model, NDManager manager, TokenBatch batch) {
        NDArray logits = model.forward(new ParameterStore(manager, false), batch.inputs(), false).head();
        SequenceLogProbs lp = SequenceLogProbs.of(logits, batch);
        return -lp.sum().sum().getFloat() / Math.max(1f, lp.tokenCount().sum().getFloat());
    }

    private TokenBatch batch(NDManager manager, List<Example> examples) {
        int max = policy.spec().maxLength();
        List<PromptCompletion> rows = examples.stream()
                .map(e -> PromptCompletion.encode(tokenizer, e.prompt(), e.completion()).truncate(max)).toList();
        return TokenBatch.of(manager, rows, tokenizer.padId(), max);
    }
}
