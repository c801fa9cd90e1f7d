package io.prefloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies an optimizer to every trainable parameter of a block after a backward pass, then zeroes
 * the gradients (what DJL's Trainer does, without its Model and metrics plumbing). Frozen
 * parameters are skipped.
 */
public final class OptimizerStep {

    private final Block block;
    private final Optimizer optimizer;

    public OptimizerStep(Block block, Optimizer optimizer) {
        this.block = block;
        this.optimizer = optimizer;
    }

    /** Adam (Kingma and Ba 2015) with a constant learning rate, the usual choice for preference fine-tuning. */
    public static OptimizerStep adam(Block block, float learningRate) {
        return adam(block, Tracker.fixed(learningRate));
    }

    public static OptimizerStep adam(Block block, Tracker learningRate) {
        return new OptimizerStep(block, new ResumableAdam(learningRate));
    }

    /** Adam with the learning rate decaying along a half cosine to a tenth of its start. */
    public static OptimizerStep adamCosine(Block block, float learningRate, int steps) {
        return adam(block, Tracker.cosine().setBaseValue(learningRate).optFinalValue(learningRate / 10)
                .setMaxUpdates(steps).build());
    }

    public void step() {
        for (Pair<String, Parameter> pair : block.getParameters()) {
            Parameter parameter = pair.getValue();
            if (!parameter.requiresGradient()) {
                continue;
            }
            NDArray weight = parameter.getArray();
            // the gradient handle is a new reference to the same tensor: close it, or it accumulates
            try (NDArray gradient = weight.getGradient()) {
                optimizer.update(parameter.getId(), weight, gradient);
                gradient.subi(gradient);
            }
        }
    }

    private static final String MEAN = "optimizer.mean.";
    private static final String VARIANCE = "optimizer.variance.";

    /**
     * The optimizer's state as named tensors (copies in {@code manager}, named by parameter path, so
     * they can be saved with the weights and put back into a rebuilt block in another process), and
     * the number of updates made so far.
     */
    public Map.Entry<NDList, Integer> state(NDManager manager) {
        ResumableAdam adam = resumable();
        NDList tensors = new NDList();
        int updates = 0;
        for (Pair<String, Parameter> pair : block.getParameters()) {
            ResumableAdam.Moments moments = adam.moments(pair.getValue().getId());
            if (moments != null) {
                NDArray mean = moments.mean().duplicate();
                mean.attach(manager);
                mean.setName(MEAN + pair.getKey());
                NDArray variance = moments.variance().duplicate();
                variance.attach(manager);
                variance.setName(VARIANCE + pair.getKey());
                tensors.add(mean);
                tensors.add(variance);
                updates = Math.max(updates, moments.updates());
            }
        }
        return Map.entry(tensors, updates);
    }

    /** Puts back a state from {@link #state}: every parameter continues from update {@code updates}. */
    public void restore(NDList tensors, int updates) {
        ResumableAdam adam = resumable();
        Map<String, NDArray> byName = new HashMap<>();
        tensors.forEach(t -> byName.put(t.getName(), t));
        for (Pair<String, Parameter> pair : block.getParameters()) {
            NDArray mean = byName.get(MEAN + pair.getKey());
            NDArray variance = byName.get(VARIANCE + pair.getKey());
            if (mean != null && variance != null) {
                adam.restore(pair.getValue().getId(), pair.getValue().getArray(),
                        new ResumableAdam.Moments(mean, variance, updates));
            } else if (pair.getValue().requiresGradient() && updates > 0) {
                throw new IllegalArgumentException("the saved optimizer state has no moments for " + pair.getKey());
            }
        }
    }

    private ResumableAdam resumable() {
        if (optimizer instanceof ResumableAdam adam) {
            return adam;
        }
        throw new IllegalStateException("only Adam's state can be saved, not " + optimizer.getClass().getSimpleName());
    }
}
