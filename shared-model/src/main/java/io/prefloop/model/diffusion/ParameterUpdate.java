package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

/**
 * Applies an optimizer to every trainable parameter of a block after a backward pass and zeroes the
 * gradients (what DJL's Trainer does, without its Model plumbing). Frozen parameters are skipped.
 */
public final class ParameterUpdate {

    private final Block block;
    private final Optimizer optimizer;

    public ParameterUpdate(Block block, Optimizer optimizer) {
        this.block = block;
        this.optimizer = optimizer;
    }

    /** Adam (Kingma &amp; Ba 2015) with learning rate {@code lr}. */
    public static ParameterUpdate adam(Block block, Tracker lr) {
        return new ParameterUpdate(block, Optimizer.adam().optLearningRateTracker(lr).build());
    }

    public void step() {
        for (Pair<String, Parameter> pair : block.getParameters()) {
            Parameter parameter = pair.getValue();
            if (!parameter.requiresGradient()) {
                continue;
            }
            NDArray weight = parameter.getArray();
            // getGradient returns a new handle on the same tensor: close it, or handles pile up
            try (NDArray gradient = weight.getGradient()) {
                optimizer.update(parameter.getId(), weight, gradient);
                gradient.subi(gradient); // the collector accumulates: zero for the next step
            }
        }
    }
}
