package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Builds the additive attention bias and the position ids from a padding mask. */
public final class AttentionMask {

    /** Added to the scores of forbidden query-key pairs; finite so that a row of pads stays NaN-free. */
    static final float NEGATIVE = -1e9f;

    private AttentionMask() {}

    /**
     * Causal bias that also hides padded keys.
     *
     * @param mask (B, T), 1 for real tokens and 0 for padding (left or right)
     * @return (B, 1, T, T): 0 where key j ≤ query i and j is real, {@link #NEGATIVE} elsewhere
     */
    public static NDArray causalBias(NDArray mask) {
        long batch = mask.getShape().get(0);
        long time = mask.getShape().get(1);
        NDArray positions = mask.getManager().arange(0f, (float) time, 1f, DataType.FLOAT32);
        NDArray causal = positions.reshape(1, time).lte(positions.reshape(time, 1)).toType(DataType.FLOAT32, false);
        NDArray keys = mask.toType(DataType.FLOAT32, false).reshape(batch, 1, 1, time);
        NDArray allowed = keys.mul(causal.reshape(1, 1, time, time));
        return allowed.sub(1f).mul(-NEGATIVE);
    }

    /**
     * Position of each token among the real tokens of its row, so that left padding does not shift
     * positions: (B, T) int64, 0 at the first real token (and on left pads).
     */
    public static NDArray positions(NDArray mask) {
        NDArray counted = mask.toType(DataType.INT64, false).cumSum(1).sub(1);
        return counted.maximum(0);
    }
}
