package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Picks each row's hidden state at its last real token (right padding), as HF's sequence-classification heads do. */
public final class LastToken {

    private LastToken() {}

    /**
     * @param hidden (B, T, d)
     * @param mask (B, T), 1 on real tokens, which come first in every row
     * @return (B, d)
     */
    public static NDArray select(NDArray hidden, NDArray mask) {
        long time = hidden.getShape().get(1);
        NDArray last = mask.sum(new int[] {1}).sub(1).toType(DataType.INT64, false);
        NDArray oneHot = last.oneHot((int) time, DataType.FLOAT32); // (B, T)
        return hidden.mul(oneHot.expandDims(2)).sum(new int[] {1});
    }
}
