package io.prefloop.model.nn.conv;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * One convolution as a network calls it: input (batch, in, height, width), filters (out, in, k, k),
 * stride and padding. Whether libtorch's float32 input gradient is right depends on the layer's
 * shape, so the check runs each shape the networks use, not a sample of them.
 */
public record ConvCall(long batch, long in, long out, long height, long width, long kernel, int stride, int pad) {

    static ConvCall of(NDArray x, NDArray weight, int stride, int pad) {
        Shape xs = x.getShape();
        Shape ws = weight.getShape();
        return new ConvCall(xs.get(0), xs.get(1), ws.get(0), xs.get(2), xs.get(3), ws.get(2), stride, pad);
    }

    ConvCall withBatch(long rows) {
        return new ConvCall(rows, in, out, height, width, kernel, stride, pad);
    }

    @Override
    public String toString() {
        return "conv " + in + "→" + out + " k" + kernel + " s" + stride + " at " + height + "×" + width;
    }
}
