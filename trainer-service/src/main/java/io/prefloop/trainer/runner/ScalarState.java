package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One number of a run's state that is not a weight (PPO's adaptive KL coefficient), as a block
 * with one untrained parameter, so that {@link ResumableTraining} saves it in the job's snapshots
 * and puts it back after a restart or a divergence retry like any extra block. Float32: a run reads
 * the stored value back before every step, so an uninterrupted and a resumed run see the same one.
 */
final class ScalarState extends AbstractBlock {

    private final Parameter value;

    ScalarState(String name, double initial, NDManager manager) {
        value = addParameter(Parameter.builder().setName(name).setType(Parameter.Type.OTHER)
                .optArray(manager.create(new float[] {(float) initial})).optRequiresGrad(false).build());
    }

    double get() {
        return value.getArray().getFloat();
    }

    void set(double v) {
        value.getArray().set(new float[] {(float) v});
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("state, not a layer");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[0];
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {}
}
