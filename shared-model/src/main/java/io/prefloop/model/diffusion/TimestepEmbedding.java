package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;

/**
 * Sinusoidal timestep features (Vaswani et al. 2017, §3.5, as used by Ho et al. 2020):
 * [cos(t·ω_i), sin(t·ω_i)], ω_i = 10000^(−i/half), followed by Linear–SiLU–Linear to the
 * embedding width.
 */
final class TimestepEmbedding {

    private final int dim;
    private final Layers.Dense fc1;
    private final Layers.Dense fc2;

    TimestepEmbedding(ParameterSink sink, int dim) {
        this.dim = dim;
        this.fc1 = new Layers.Dense(sink.scope("fc1"), dim, dim, 1);
        this.fc2 = new Layers.Dense(sink.scope("fc2"), dim, dim, 1);
    }

    /** The fixed sinusoidal features of integer timesteps t (N): (N, dim). */
    static NDArray sinusoidal(NDArray t, int dim) {
        int half = dim / 2;
        float[] freqs = new float[half];
        for (int i = 0; i < half; i++) {
            freqs[i] = (float) Math.exp(-Math.log(10000) * i / half);
        }
        NDArray args = t.toType(DataType.FLOAT32, false).reshape(-1, 1)
                .mul(t.getManager().create(freqs).reshape(1, half));
        return NDArrays.concat(new NDList(args.cos(), args.sin()), 1);
    }

    NDArray forward(ParameterStore ps, NDArray t, boolean training) {
        NDArray h = fc1.forward(ps, sinusoidal(t, dim), training);
        return fc2.forward(ps, Layers.silu(h), training);
    }
}
