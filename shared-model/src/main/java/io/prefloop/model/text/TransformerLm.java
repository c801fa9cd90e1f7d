package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * Causal transformer language model: {@link TransformerBody} plus a linear head to vocabulary
 * logits. Inputs: token ids (B, T) int64 and padding mask (B, T). Output: logits (B, T, V), where
 * position t predicts token t + 1.
 */
public final class TransformerLm extends AbstractBlock {

    private final TransformerBody body;
    private final Linear head;

    public TransformerLm(TransformerSpec spec) {
        body = addChildBlock("body", new TransformerBody(spec));
        head = addChildBlock("lm_head", Linear.builder().setUnits(spec.vocabSize()).optBias(false).build());
    }

    /** A fresh model with GPT-2's initialisation (weights N(0, 0.02)), on the manager's device. */
    public static TransformerLm create(TransformerSpec spec, NDManager manager) {
        TransformerLm lm = new TransformerLm(spec);
        lm.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        lm.initialize(manager, DataType.FLOAT32, new Shape(1, spec.maxLength()), new Shape(1, spec.maxLength()));
        return lm;
    }

    public TransformerSpec spec() {
        return body.spec();
    }

    /** The transformer without its head, e.g. to start a reward model from it (InstructGPT). */
    public TransformerBody body() {
        return body;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = body.forward(store, inputs, training).head();
        return head.forward(store, new NDList(hidden), training);
    }

    /**
     * Logits (B, T, V) and the final hidden states (B, T, d) they come from, in one pass: PPO's
     * value head reads the hidden states the policy's head reads.
     */
    public NDList logitsAndHidden(ParameterStore store, NDList inputs, boolean training) {
        NDArray hidden = body.forward(store, inputs, training).head();
        return new NDList(head.forward(store, new NDList(hidden), training).head(), hidden);
    }

    /**
     * Next-token logits (B, V) after feeding t new tokens on top of the cached ones (generation).
     *
     * @param positions (B, t) int64 positions of the new tokens
     * @param bias (B, 1, t, past + t) attention bias
     */
    public NDArray nextTokenLogits(ParameterStore store, NDArray tokens, NDArray positions, NDArray bias, KeyValueCache cache) {
        NDArray hidden = body.forwardCached(store, tokens, positions, bias, cache);
        long time = hidden.getShape().get(1);
        NDArray last = hidden.get(new ai.djl.ndarray.index.NDIndex(":, {}, :", time - 1));
        return head.forward(store, new NDList(last), false).head();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0];
        return new Shape[] {new Shape(tokens.get(0), tokens.get(1), spec().vocabSize())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, body.getOutputShapes(inputShapes)[0]);
    }
}
