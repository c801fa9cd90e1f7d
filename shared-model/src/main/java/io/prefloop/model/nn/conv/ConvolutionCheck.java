package io.prefloop.model.nn.conv;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Float32 convolution gradients against float64 ones, call by call. Float64 convolutions do not go
 * through oneDNN, so they are the reference; a finite-difference check in float64 alone cannot see a
 * wrong float32 kernel. The wrong kernels are not wrong every time (the same shape can come out
 * right once and NaN the next), so each call runs at two small batches (2 and 4 rows: the wrong
 * kernels showed at both, and float64 at the full batch would take seconds per shape).
 */
public final class ConvolutionCheck {

    /** Relative error (max |g32 − g64| / max |g64|) above which a gradient is wrong; right ones are ~1e-6. */
    public static final double TOLERANCE = 1e-3;
    private static final long[] BATCHES = {2, 4};

    /** One call's worst relative errors over its runs; NaN counts as infinitely wrong. */
    public record CallResult(ConvCall call, double inputError, double weightError) {
        public boolean right() {
            return inputError <= TOLERANCE && weightError <= TOLERANCE;
        }
    }

    /** The results of one path over a list of calls. */
    public record Result(ConvolutionPath path, List<CallResult> calls) {
        public boolean right() {
            return calls.stream().allMatch(CallResult::right);
        }

        public double worstError() {
            return calls.stream().mapToDouble(c -> Math.max(c.inputError, c.weightError)).max().orElse(0);
        }

        public List<CallResult> wrong() {
            return calls.stream().filter(c -> !c.right()).toList();
        }

        public String summary() {
            List<CallResult> wrong = wrong();
            if (wrong.isEmpty()) {
                return "right on all " + calls.size() + " shapes (worst relative error " + format(worstError()) + ")";
            }
            CallResult first = wrong.get(0);
            return "wrong on " + wrong.size() + " of " + calls.size() + " shapes, e.g. " + first.call()
                    + ": input gradient error " + format(first.inputError()) + ", weight gradient error "
                    + format(first.weightError());
        }
    }

    private ConvolutionCheck() {}

    /** Runs every call on the CPU (where the networks train unless a GPU is chosen) on {@code path}. */
    public static Result run(List<ConvCall> calls, ConvolutionPath path) {
        return run(calls, path, Device.cpu());
    }

    public static Result run(List<ConvCall> calls, ConvolutionPath path, Device device) {
        Engine.getEngine("PyTorch"); // loads the natives before the first JniUtils call
        List<CallResult> results = new ArrayList<>();
        Random random = new Random(20261202L);
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try (NDManager m = NDManager.newBaseManager(device)) {
            for (ConvCall call : calls) {
                double input = 0;
                double weight = 0;
                for (long batch : BATCHES) {
                    double[] errors = errors(m, call.withBatch(batch), path, random);
                    input = Math.max(input, errors[0]);
                    weight = Math.max(weight, errors[1]);
                }
                results.add(new CallResult(call, input, weight));
            }
        } finally {
            JniUtils.setGradMode(recording);
        }
        return new Result(path, results);
    }

    private static double[] errors(NDManager parent, ConvCall c, ConvolutionPath path, Random random) {
        try (NDManager m = parent.newSubManager()) {
            long outH = (c.height() + 2L * c.pad() - c.kernel()) / c.stride() + 1;
            long outW = (c.width() + 2L * c.pad() - c.kernel()) / c.stride() + 1;
            NDArray x = uniform(m, new Shape(c.batch(), c.in(), c.height(), c.width()), random, 1);
            NDArray w = uniform(m, new Shape(c.out(), c.in(), c.kernel(), c.kernel()), random,
                    1 / Math.sqrt(c.in() * c.kernel() * c.kernel()));
            NDArray b = uniform(m, new Shape(c.out()), random, 1);
            NDArray probe = uniform(m, new Shape(c.batch(), c.out(), outH, outW), random, 1);
            NDArray[] g32 = gradients(x, w, b, probe, c, path);
            NDArray[] g64 = gradients(x.toType(DataType.FLOAT64, true), w.toType(DataType.FLOAT64, true),
                    b.toType(DataType.FLOAT64, true), probe.toType(DataType.FLOAT64, true), c, path);
            return new double[] {relativeError(g32[0], g64[0]), relativeError(g32[1], g64[1])};
        }
    }

    private static NDArray[] gradients(NDArray x0, NDArray w0, NDArray b, NDArray probe, ConvCall c, ConvolutionPath path) {
        NDArray x = x0.duplicate();
        NDArray w = w0.duplicate();
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        NDArray loss = Convolutions.compute(x, w, b, c.stride(), c.pad(), path).mul(probe).sum();
        // no GradientCollector: a training step may hold the process's only one while this runs
        JniUtils.backward((PtNDArray) loss, (PtNDArray) loss.onesLike(), false, false);
        return new NDArray[] {x.getGradient().duplicate(), w.getGradient().duplicate()};
    }

    private static double relativeError(NDArray g32, NDArray g64) {
        double scale = g64.abs().max().getDouble();
        double diff = g32.toType(DataType.FLOAT64, false).sub(g64).abs().max().getDouble();
        double error = diff / Math.max(scale, 1e-12);
        return Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
    }

    private static NDArray uniform(NDManager m, Shape shape, Random random, double scale) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return m.create(v, shape);
    }

    static String format(double error) {
        return Double.isInfinite(error) ? "NaN/∞" : String.format("%.1e", error);
    }
}
