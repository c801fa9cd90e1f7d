package io.prefloop.model.text.rl;

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
import io.prefloop.model.text.TransformerLm;

/**
 * The PPO policy: the language model plus a value head, a linear layer from the transformer's final
 * hidden states to one value per position. The value shares the policy's transformer, as TRL's
 * original PPOTrainer did (AutoModelForCausalLMWithValueHead); TRL's current PPOTrainer trains a
 * separate value model started from the reward model instead. Sharing costs one forward pass instead
 * of two per minibatch, which matters on a CPU; vf_coef 0.1 keeps the value loss's gradient from
 * dominating the policy's. One block, so that one optimizer and one snapshot cover the value head's
 * weights and Adam moments with the policy's.
 */
public final class PolicyWithValueHead extends AbstractBlock {

    private final TransformerLm policy;
    private final Linear valueHead;

    /** @param policy an initialised language model; the value head starts N(0, 0.02), bias 0 */
    public PolicyWithValueHead(TransformerLm policy, NDManager manager) {
        this.policy = addChildBlock("policy", policy);
        valueHead = addChildBlock("value_head", Linear.builder().setUnits(1).build());
        valueHead.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        valueHead.initialize(manager, DataType.FLOAT32, new Shape(1, policy.spec().dModel()));
    }

    public TransformerLm policy() {
        return policy;
    }

    /** Logits (B, T, V) and values (B, T); the value at t is that of the state before token t + 1. */
    public NDList logitsAndValues(ParameterStore store, NDList inputs, boolean training) {
        NDList out = policy.logitsAndHidden(store, inputs, training);
        NDArray values = valueHead.forward(store, new NDList(out.get(1)), training).head().squeeze(2);
        return new NDList(out.get(0), values);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return logitsAndValues(store, inputs, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0];
        return new Shape[] {policy.getOutputShapes(inputShapes)[0], new Shape(tokens.get(0), tokens.get(1))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // both children are initialised when constructed
    }
}
