package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** One pre-norm transformer layer as in GPT-2: x + attn(ln(x)), then x + mlp(ln(x)). */
public final class TransformerLayer extends AbstractBlock {

    private final LayerNorm attentionNorm;
    private final CausalSelfAttention attention;
    private final LayerNorm mlpNorm;
    private final Linear up;
    private final Linear down;

    public TransformerLayer(int dModel, int heads, int ffHidden) {
        attentionNorm = addChildBlock("ln1", LayerNorm.builder().axis(2).build());
        attention = addChildBlock("attn", new CausalSelfAttention(dModel, heads));
        mlpNorm = addChildBlock("ln2", LayerNorm.builder().axis(2).build());
        up = addChildBlock("fc1", Linear.builder().setUnits(ffHidden).build());
        down = addChildBlock("fc2", Linear.builder().setUnits(dModel).build());
    }

    /** Inputs: x (B, T, d) and the attention bias (B, 1, T, T). */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray bias = inputs.get(1);
        NDArray normed = attentionNorm.forward(store, new NDList(x), training).head();
        x = x.add(attention.forward(store, new NDList(normed, bias), training).head());
        NDArray hidden = up.forward(store, mlpNorm.forward(store, new NDList(x), training), training).head();
        x = x.add(down.forward(store, new NDList(Activation.gelu(hidden)), training).head());
        return new NDList(x);
    }

    /** Generation with a key/value cache: x holds only the new tokens. */
    NDArray forwardCached(ParameterStore store, NDArray x, NDArray bias, KeyValueCache.Layer cache) {
        NDArray normed = attentionNorm.forward(store, new NDList(x), false).head();
        x = x.add(attention.forwardCached(store, normed, bias, cache));
        NDArray hidden = up.forward(store, mlpNorm.forward(store, new NDList(x), false), false).head();
        return x.add(down.forward(store, new NDList(Activation.gelu(hidden)), false).head());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        attentionNorm.initialize(manager, dataType, x);
        attention.initialize(manager, dataType, inputShapes);
        mlpNorm.initialize(manager, dataType, x);
        up.initialize(manager, dataType, x);
        down.initialize(manager, dataType, up.getOutputShapes(new Shape[] {x})[0]);
    }
}
