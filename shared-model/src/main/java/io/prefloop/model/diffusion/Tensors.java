package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Small array helpers used by the diffusion classes. */
public final class Tensors {

    private Tensors() {}

    /** Concatenation along the batch axis. */
    public static NDArray concat(NDArray a, NDArray b) {
        return NDArrays.concat(new NDList(a, b));
    }

    /** Per-sample mean squared error over all non-batch axes (C·H·W): shape (N). */
    public static NDArray perSampleMse(NDArray pred, NDArray target) {
        long n = pred.getShape().get(0);
        // DJL's mean over several axes is unsupported on PyTorch: flatten first (docs/djl.md)
        return pred.sub(target).square().reshape(n, -1).mean(new int[] {1});
    }

    public static NDArray zeros(NDManager m, int n) {
        return m.zeros(new Shape(n));
    }

    public static NDArray ones(NDManager m, int n) {
        return m.ones(new Shape(n));
    }

    /** A (N, 1, 1, ...) view of a per-sample vector, broadcastable against {@code like}. */
    public static NDArray perSample(NDArray v, NDArray like) {
        long[] dims = new long[like.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = v.getShape().get(0);
        return v.reshape(new Shape(dims));
    }
}
