package io.prefloop.model.diffusion;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;

/**
 * Where a layer registers its parameters, under dotted PyTorch-style names
 * ({@code down.0.res.0.conv1.weight}), so that a checkpoint's tensor names read like a PyTorch
 * state dict. The DJL block that owns the layers implements it.
 */
public interface ParameterSink {

    Parameter add(String name, Parameter.Type type, Shape shape, Initializer init);

    /** A sink that prefixes every name with {@code prefix + "."}. */
    default ParameterSink scope(String prefix) {
        ParameterSink outer = this;
        return (name, type, shape, init) -> outer.add(prefix + "." + name, type, shape, init);
    }
}
