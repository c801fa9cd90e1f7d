package io.prefloop.model.nn.conv;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A square-kernel 2-D convolution block computed through {@link Convolutions}; the same parameters
 * ({@code weight} (out, in, k, k), {@code bias} (out)) and names as DJL's Conv2d, so checkpoints
 * written with DJL's block load unchanged.
 */
public final class Conv2dLayer extends AbstractBlock {

    private final int filters;
    private final int kernel;
    private final int stride;
    private final int pad;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2dLayer(int filters, int kernel, int stride, int pad) {
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build());
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        weight.setShape(new Shape(filters, inputShapes[0].get(1), kernel, kernel));
        bias.setShape(new Shape(filters));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        var x = inputs.head();
        var w = ps.getValue(weight, x.getDevice(), training);
        var b = ps.getValue(bias, x.getDevice(), training);
        return new NDList(Convolutions.conv2d(x, w, b, stride, pad));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long h = (s.get(2) + 2L * pad - kernel) / stride + 1;
        long w = (s.get(3) + 2L * pad - kernel) / stride + 1;
        return new Shape[] {new Shape(s.get(0), filters, h, w)};
    }
}
