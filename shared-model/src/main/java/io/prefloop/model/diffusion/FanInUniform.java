package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * U(−g/√fan_in, g/√fan_in), fan_in = product of all but the first dimension: PyTorch's default
 * for Linear and Conv2d weights when g = 1 (kaiming_uniform with a = √5).
 */
public record FanInUniform(double gain) implements Initializer {

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        long fanIn = shape.size() / shape.get(0);
        float bound = (float) (gain / Math.sqrt(fanIn));
        return manager.randomUniform(-bound, bound, shape, dataType);
    }
}
