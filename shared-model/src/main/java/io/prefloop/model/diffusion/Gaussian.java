package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * Standard normal noise drawn from a Java {@link Random}: reproducible from a seed on any device and
 * independent of how images are batched (the engine's generator is neither), which paired-seed
 * comparisons between models need.
 */
public final class Gaussian {

    private Gaussian() {}

    public static NDArray noise(NDManager m, Shape shape, Random rng) {
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return m.create(v, shape);
    }
}
