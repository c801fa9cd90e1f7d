package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The forward process x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε (Ho et al. 2020, eq. 4), t per sample. */
public final class Noising {

    private Noising() {}

    /** @param t one timestep per sample (length N = x0's first dimension) */
    /** One uniformly drawn training timestep per sample, t ∈ [0, T). */
    public static int[] sampleTimesteps(NoiseSchedule schedule, int n, java.util.Random rng) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rng.nextInt(schedule.steps());
        }
        return t;
    }

    public static NDArray addNoise(NoiseSchedule schedule, NDArray x0, NDArray noise, int[] t) {
        NDManager m = x0.getManager();
        int n = t.length;
        float[] a = new float[n];
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) Math.sqrt(schedule.alphaBar(t[i]));
            s[i] = (float) Math.sqrt(1 - schedule.alphaBar(t[i]));
        }
        Shape bshape = broadcastShape(x0.getShape(), n);
        return x0.mul(m.create(a).reshape(bshape)).add(noise.mul(m.create(s).reshape(bshape)));
    }

    /** (N, 1, 1, ...) so a per-sample coefficient broadcasts over the other axes. */
    static Shape broadcastShape(Shape full, int n) {
        long[] dims = new long[full.dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = n;
        return new Shape(dims);
    }
}
