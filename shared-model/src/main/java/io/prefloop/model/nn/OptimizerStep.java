package io.prefloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

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
        return new OptimizerStep(block, Optimizer.adam().optLearningRateTracker(learningRate).build());
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
}
