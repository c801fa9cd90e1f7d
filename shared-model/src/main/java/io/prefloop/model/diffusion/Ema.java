package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * An exponential moving average of a block's weights, θ_ema ← d·θ_ema + (1 − d)·θ, kept in a
 * second block of the same architecture (the usual way diffusion models are published).
 */
public final class Ema {

    private final List<Parameter> source;
    private final List<Parameter> target;
    private final float decay;

    /** {@code average} must have the same architecture and start equal to {@code model}. */
    public Ema(Block model, Block average, double decay) {
        this.source = model.getParameters().values();
        this.target = average.getParameters().values();
        this.decay = (float) decay;
    }

    public void update() {
        for (int i = 0; i < source.size(); i++) {
            NDArray avg = target.get(i).getArray();
            try (NDArray scaled = source.get(i).getArray().mul(1 - decay)) {
                avg.muli(decay).addi(scaled);
            }
        }
    }
}
