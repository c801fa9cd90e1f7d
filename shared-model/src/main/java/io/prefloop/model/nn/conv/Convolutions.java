package io.prefloop.model.nn.conv;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every 2-D convolution of the project's networks goes through here, so that a wrong libtorch kernel
 * cannot train a network silently. DJL 0.36's PyTorch 2.7.1 natives compute wrong float32 input
 * gradients on AVX-512 CPUs (oneDNN, output channels not a multiple of 16; the forward pass and the
 * weight gradient are right): docs/djl.md.
 *
 * <p>The first time a convolution of a new shape runs with gradient recording on (a training
 * step), its float32 input and weight gradients are compared with float64 ones (which do not go
 * through oneDNN) under the current {@link ConvolutionPath}. If they disagree, the process moves to
 * the next path, re-checks every shape seen so far, and keeps the first path that is right for all
 * of them. When none is, training convolutions throw {@link UnsafeConvolutionException} with the
 * findings; forward passes (sampling, scoring) keep working, they are right on every path.
 */
public final class Convolutions {

    private static final Logger log = LoggerFactory.getLogger(Convolutions.class);
    static final long CHANNEL_BLOCK = 16;

    private static volatile ConvolutionPath path = ConvolutionPath.PADDED_CHANNELS;
    private static volatile String refusal;
    private static volatile ConvolutionCheck.Result lastResult;
    private static final Set<ConvCall> verified = ConcurrentHashMap.newKeySet();
    private static final ThreadLocal<Set<ConvCall>> recording = new ThreadLocal<>();

    private Convolutions() {}

    /** y = conv2d(x, weight) + bias with "same"-style padding {@code pad}; bias may be null. */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int pad) {
        ConvCall call = ConvCall.of(x, weight, stride, pad).withBatch(0); // the check picks its own batches
        Set<ConvCall> recorded = recording.get();
        if (recorded != null) {
            recorded.add(call);
        }
        if (!verified.contains(call) && JniUtils.isGradMode()) {
            verify(List.of(call), x.getDevice());
        }
        return compute(x, weight, bias, stride, pad, path);
    }

    /** The convolutions {@code forward} makes, in the order first seen. */
    public static List<ConvCall> record(Runnable forward) {
        Set<ConvCall> calls = new LinkedHashSet<>();
        Set<ConvCall> outer = recording.get();
        recording.set(calls);
        try {
            forward.run();
        } finally {
            recording.set(outer);
        }
        return new ArrayList<>(calls);
    }

    /** The path in use now. */
    public static ConvolutionPath path() {
        return path;
    }

    /** What the checks found so far, for logs, job events and the services' status. */
    public static ConvolutionStatus status() {
        return new ConvolutionStatus(path, verified.size(), lastResult == null ? 0 : lastResult.worstError(), refusal);
    }

    /**
     * Checks {@code calls} (those not checked yet) under the current path and moves to a safer path
     * when needed, as the first training step of a new shape would.
     *
     * @throws UnsafeConvolutionException when no path computes right gradients for them
     */
    public static synchronized ConvolutionStatus verify(Collection<ConvCall> calls, Device device) {
        if (refusal != null) {
            throw new UnsafeConvolutionException(refusal);
        }
        List<ConvCall> todo = new ArrayList<>();
        for (ConvCall c : calls) {
            if (!verified.contains(c)) {
                todo.add(c);
            }
        }
        if (todo.isEmpty()) {
            return status();
        }
        ConvolutionPath candidate = path;
        ConvolutionCheck.Result result = ConvolutionCheck.run(todo, candidate, device);
        while (!result.right()) {
            log.warn("Convolution gradients are wrong with {}: {}", candidate.description(), result.summary());
            ConvolutionPath next = switchTo(candidate.fallback());
            if (next == null) {
                refusal = "float32 convolution gradients are wrong on this CPU with every path tried ("
                        + result.summary() + "); training with convolutions is refused (docs/djl.md)";
                log.error(refusal);
                throw new UnsafeConvolutionException(refusal);
            }
            Set<ConvCall> all = new HashSet<>(verified);
            all.addAll(todo);
            todo = new ArrayList<>(all);
            verified.clear();
            candidate = next;
            result = ConvolutionCheck.run(todo, candidate, device);
        }
        if (candidate != path) {
            log.warn("Convolutions now use {}: right for all {} shapes checked", candidate.description(), todo.size());
        }
        path = candidate;
        lastResult = result;
        verified.addAll(todo);
        return status();
    }

    /** Makes {@code wanted} (or the next one that can be set up) the path in use; null when none. */
    private static ConvolutionPath switchTo(ConvolutionPath wanted) {
        ConvolutionPath p = wanted;
        while (p == ConvolutionPath.ONEDNN_OFF) {
            if (OneDnn.setEnabled(false).filter(on -> !on).isPresent()) {
                break;
            }
            log.warn("Could not switch oneDNN off in libtorch");
            p = p.fallback();
        }
        if (p != null) {
            path = p;
        }
        return p;
    }

    /** One convolution on {@code via}; padding only applies on the CPU, where the wrong kernels are. */
    static NDArray compute(NDArray x, NDArray weight, NDArray bias, int stride, int pad, ConvolutionPath via) {
        long out = weight.getShape().get(0);
        Shape strides = new Shape(stride, stride);
        Shape pads = new Shape(pad, pad);
        if (via == ConvolutionPath.FLOAT64 && x.getDataType() != DataType.FLOAT64) {
            NDArray y = Conv2d.conv2d(cast(x, DataType.FLOAT64), local(cast(weight, DataType.FLOAT64), x),
                    bias == null ? null : local(cast(bias, DataType.FLOAT64), x), strides, pads).singletonOrThrow();
            return cast(y, x.getDataType());
        }
        if (via != ConvolutionPath.PADDED_CHANNELS || out % CHANNEL_BLOCK == 0 || x.getDevice().isGpu()) {
            return Conv2d.conv2d(x, weight, bias, strides, pads).singletonOrThrow();
        }
        // zero filters appended, owned by x's manager (the parameters' manager is long-lived)
        NDManager m = x.getManager();
        long extra = CHANNEL_BLOCK - out % CHANNEL_BLOCK;
        Shape ws = weight.getShape();
        NDArray paddedWeight = weight.concat(m.zeros(new Shape(extra, ws.get(1), ws.get(2), ws.get(3)),
                weight.getDataType(), weight.getDevice()), 0);
        paddedWeight.attach(m);
        NDArray paddedBias = null;
        if (bias != null) {
            paddedBias = bias.concat(m.zeros(new Shape(extra), bias.getDataType(), bias.getDevice()), 0);
            paddedBias.attach(m);
        }
        NDArray y = Conv2d.conv2d(x, paddedWeight, paddedBias, strides, pads).singletonOrThrow();
        return y.get(new NDIndex(":, 0:{}", out));
    }

    /**
     * A cast that keeps the autograd graph: DJL's {@code toType} detaches its result, a cumulative
     * product over a new axis of length one with an output type does not (and computes nothing).
     */
    static NDArray cast(NDArray a, DataType type) {
        return a.expandDims(0).cumProd(0, type).squeeze(0);
    }

    private static NDArray local(NDArray derived, NDArray like) {
        derived.attach(like.getManager());
        return derived;
    }

    /** Uses {@code via} from now on without checking it (tests comparing paths only). */
    static synchronized void use(ConvolutionPath via) {
        path = via;
    }

    /** Forgets every check and goes back to the default path (tests only). */
    static synchronized void reset(ConvolutionPath to) {
        verified.clear();
        refusal = null;
        lastResult = null;
        path = to;
        OneDnn.setEnabled(to != ConvolutionPath.ONEDNN_OFF);
    }
}
