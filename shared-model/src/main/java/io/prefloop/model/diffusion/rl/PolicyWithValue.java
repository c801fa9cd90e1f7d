package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.prefloop.model.diffusion.UNet;

/**
 * DPOK's two trained networks as one block, so that one optimizer (and one snapshot of weights and
 * Adam moments) covers both. Their parameters are disjoint, so the summed losses' gradients are each
 * network's own. Not callable itself.
 */
public final class PolicyWithValue extends AbstractBlock {

    private final UNet policy;
    private final ValueNetwork value;

    public PolicyWithValue(UNet policy, ValueNetwork value) {
        this.policy = addChildBlock("policy", policy);
        this.value = addChildBlock("value", value);
    }

    public UNet policy() {
        return policy;
    }

    public ValueNetwork value() {
        return value;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("call the policy or the value network");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException("call the policy or the value network");
    }
}
