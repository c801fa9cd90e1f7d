package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import io.prefloop.model.nn.conv.Convolutions;

/**
 * The functional building blocks of the UNet: each holds its {@link Parameter}s (registered in a
 * {@link ParameterSink}) and computes with DJL's functional ops, reading parameter values through the
 * {@link ParameterStore} so that training sees gradients.
 */
final class Layers {

    private Layers() {}

    static NDArray value(ParameterStore ps, Parameter p, NDArray like, boolean training) {
        return ps.getValue(p, like.getDevice(), training);
    }

    /**
     * A reshaped (or sliced) parameter value, owned by {@code like}'s manager: a new array handle
     * derived from a parameter would otherwise belong to the parameter's long-lived manager and
     * pile up there, one per forward pass (docs/djl.md, "Memory").
     */
    static NDArray local(NDArray derived, NDArray like) {
        derived.attach(like.getManager());
        return derived;
    }

    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /**
     * A 2-D convolution with "same" padding for odd kernels, weight (out, in, k, k), computed through
     * {@link Convolutions} (right gradients on every CPU, docs/djl.md).
     */
    static final class Conv {
        private final Parameter weight;
        private final Parameter bias;
        private final int stride;
        private final int pad;

        Conv(ParameterSink sink, int in, int out, int kernel, int stride, double gain) {
            this.weight = sink.add("weight", Parameter.Type.WEIGHT, new Shape(out, in, kernel, kernel), new FanInUniform(gain));
            this.bias = sink.add("bias", Parameter.Type.BIAS, new Shape(out), Initializer.ZEROS);
            this.stride = stride;
            this.pad = kernel / 2;
        }

        NDArray forward(ParameterStore ps, NDArray x, boolean training) {
            return Convolutions.conv2d(x, value(ps, weight, x, training), value(ps, bias, x, training), stride, pad);
        }
    }

    /** y = x·Wᵀ + b, weight (out, in). */
    static final class Dense {
        private final Parameter weight;
        private final Parameter bias;

        Dense(ParameterSink sink, int in, int out, double gain) {
            this.weight = sink.add("weight", Parameter.Type.WEIGHT, new Shape(out, in), new FanInUniform(gain));
            this.bias = sink.add("bias", Parameter.Type.BIAS, new Shape(out), Initializer.ZEROS);
        }

        NDArray forward(ParameterStore ps, NDArray x, boolean training) {
            return Linear.linear(x, value(ps, weight, x, training), value(ps, bias, x, training)).singletonOrThrow();
        }
    }

    /**
     * Group normalization (Wu &amp; He 2018) over (N, C, H, W), affine per channel. DJL 0.36 has no
     * GroupNorm on PyTorch; torch's fused layer_norm over (N, G, C/G·H·W) is the fastest way there
     * (docs/djl.md), followed by the per-channel affine.
     */
    static final class GroupNorm {
        private final Parameter gamma;
        private final Parameter beta;
        private final int groups;
        private final int channels;

        GroupNorm(ParameterSink sink, int groups, int channels) {
            if (channels % groups != 0) {
                throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
            }
            this.gamma = sink.add("weight", Parameter.Type.GAMMA, new Shape(channels), Initializer.ONES);
            this.beta = sink.add("bias", Parameter.Type.BETA, new Shape(channels), Initializer.ZEROS);
            this.groups = groups;
            this.channels = channels;
        }

        NDArray forward(ParameterStore ps, NDArray x, boolean training) {
            Shape s = x.getShape();
            long per = s.size() / (s.get(0) * groups);
            NDArray grouped = x.reshape(s.get(0), groups, per);
            NDArray ones = x.getManager().ones(new Shape(per), x.getDataType());
            NDArray zeros = x.getManager().zeros(new Shape(per), x.getDataType());
            NDArray normed = grouped.getNDArrayInternal()
                    .layerNorm(grouped, new Shape(per), ones, zeros, 1e-5f).singletonOrThrow()
                    .reshape(s);
            Shape c = new Shape(1, channels, 1, 1);
            NDArray g = local(value(ps, gamma, x, training).reshape(c), x);
            NDArray b = local(value(ps, beta, x, training).reshape(c), x);
            return normed.mul(g).add(b);
        }
    }
}
