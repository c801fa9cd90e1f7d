package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head self-attention (Vaswani et al. 2017, eq. 1). Inputs: x (B, T, d) and an additive bias
 * (B, 1, T, T) that is 0 where a query may attend to a key and a large negative number elsewhere
 * (see {@link AttentionMask}).
 */
public final class CausalSelfAttention extends AbstractBlock {

    private final int dModel;
    private final int heads;
    private final Linear qkv;
    private final Linear projection;

    public CausalSelfAttention(int dModel, int heads) {
        this.dModel = dModel;
        this.heads = heads;
        this.qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * dModel).build());
        this.projection = addChildBlock("proj", Linear.builder().setUnits(dModel).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(attend(store, inputs.get(0), inputs.get(1), null, training));
    }

    /**
     * Attention for generation with a key/value cache: x holds only the new tokens (B, t, d); the
     * cache holds the keys and values of the earlier ones and is extended with the new ones; the
     * bias is (B, 1, t, past + t).
     */
    NDArray forwardCached(ParameterStore store, NDArray x, NDArray bias, KeyValueCache.Layer cache) {
        return attend(store, x, bias, cache, false);
    }

    private NDArray attend(ParameterStore store, NDArray x, NDArray bias, KeyValueCache.Layer cache, boolean training) {
        long batch = x.getShape().get(0);
        long time = x.getShape().get(1);
        int headSize = dModel / heads;

        // (B, T, 3d) -> (3, B, H, T, hd)
        NDArray qkvOut = qkv.forward(store, new NDList(x), training).head()
                .reshape(batch, time, 3, heads, headSize)
                .transpose(2, 0, 3, 1, 4);
        NDArray q = qkvOut.get(0);
        NDArray k = qkvOut.get(1);
        NDArray v = qkvOut.get(2);
        if (cache != null) {
            k = cache.append(k, v);
            v = cache.values();
        }

        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(headSize)).add(bias);
        NDArray attended = scores.softmax(3).matMul(v) // (B, H, T, hd)
                .transpose(0, 2, 1, 3)
                .reshape(batch, time, dModel);
        return projection.forward(store, new NDList(attended), training).head();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        qkv.initialize(manager, dataType, inputShapes[0]);
        projection.initialize(manager, dataType, inputShapes[0]);
    }
}
