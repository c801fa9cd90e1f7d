package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Token and position embeddings, the transformer layers and a final layer norm. Inputs: token ids
 * (B, T) int64 and a padding mask (B, T), 1 for real tokens. Output: hidden states (B, T, d). The
 * language model and the text reward model put different heads on it.
 */
public final class TransformerBody extends AbstractBlock {

    private final TransformerSpec spec;
    private final Parameter tokenEmbedding;
    private final Parameter positionEmbedding;
    private final List<TransformerLayer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;

    public TransformerBody(TransformerSpec spec) {
        this.spec = spec;
        tokenEmbedding = addParameter(Parameter.builder()
                .setName("token_embedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(spec.vocabSize(), spec.dModel()))
                .build());
        positionEmbedding = addParameter(Parameter.builder()
                .setName("position_embedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(spec.maxLength(), spec.dModel()))
                .build());
        for (int i = 0; i < spec.layers(); i++) {
            layers.add(addChildBlock("layer" + i, new TransformerLayer(spec.dModel(), spec.heads(), spec.ffHidden())));
        }
        finalNorm = addChildBlock("ln_f", LayerNorm.builder().axis(2).build());
    }

    public TransformerSpec spec() {
        return spec;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = inputs.get(0);
        NDArray mask = inputs.get(1);
        long time = tokens.getShape().get(1);
        if (time > spec.maxLength()) {
            throw new IllegalArgumentException("sequence of " + time + " tokens exceeds max_length " + spec.maxLength());
        }
        NDArray x = embed(store, tokens, AttentionMask.positions(mask), training);
        NDArray bias = AttentionMask.causalBias(mask);
        for (TransformerLayer layer : layers) {
            x = layer.forward(store, new NDList(x, bias), training).head();
        }
        return finalNorm.forward(store, new NDList(x), training);
    }

    /**
     * Generation with a key/value cache: hidden states (B, t, d) of t new tokens.
     *
     * @param positions (B, t) int64 position of each new token
     * @param bias (B, 1, t, past + t) attention bias over cached and new keys
     */
    NDArray forwardCached(ParameterStore store, NDArray tokens, NDArray positions, NDArray bias, KeyValueCache cache) {
        if (positions.max().getLong() >= spec.maxLength()) {
            throw new IllegalArgumentException("position beyond max_length " + spec.maxLength());
        }
        NDArray x = embed(store, tokens, positions, false);
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forwardCached(store, x, bias, cache.layer(i));
        }
        return finalNorm.forward(store, new NDList(x), false).head();
    }

    private NDArray embed(ParameterStore store, NDArray tokens, NDArray positions, boolean training) {
        NDArray tokenWeight = store.getValue(tokenEmbedding, tokens.getDevice(), training);
        NDArray positionWeight = store.getValue(positionEmbedding, tokens.getDevice(), training);
        return Embedding.embedding(tokens, tokenWeight, SparseFormat.DENSE).head()
                .add(Embedding.embedding(positions, positionWeight, SparseFormat.DENSE).head());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0];
        return new Shape[] {new Shape(tokens.get(0), tokens.get(1), spec.dModel())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = inputShapes[0];
        Shape hidden = new Shape(tokens.get(0), tokens.get(1), spec.dModel());
        Shape bias = new Shape(tokens.get(0), 1, tokens.get(1), tokens.get(1));
        for (TransformerLayer layer : layers) {
            layer.initialize(manager, dataType, hidden, bias);
        }
        finalNorm.initialize(manager, dataType, hidden);
    }
}
