package io.prefloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adam (Kingma and Ba 2015, Algorithm 1) whose moments and step counts can be read out and put
 * back, so that a training job resumed from an intermediate checkpoint continues exactly where it
 * stopped. DJL's own {@code Adam} keeps them private. The update itself is the engine's fused
 * {@code adamUpdate}, called with the same arguments DJL's Adam uses (bias correction folded into
 * the learning rate as lr·√(1−β₂ᵗ)/(1−β₁ᵗ)), so both give the same numbers.
 */
public final class ResumableAdam extends Optimizer {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private Tracker learningRate;
    private final Map<String, NDArray> means = new ConcurrentHashMap<>();
    private final Map<String, NDArray> variances = new ConcurrentHashMap<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final Map<String, Double> rateFactors = new ConcurrentHashMap<>();
    private volatile double scale = 1;
    private volatile double lastLearningRate = Double.NaN;

    public ResumableAdam(Tracker learningRate) {
        super(new Builder());
        this.learningRate = learningRate;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        int t = counts.merge(parameterId, 1, Integer::sum);
        double coef1 = 1.0 - Math.pow(BETA1, t);
        double coef2 = 1.0 - Math.pow(BETA2, t);
        float base = (float) (learningRate.getNewValue(t) * scale);
        lastLearningRate = base;
        float lr = (float) (base * rateFactors.getOrDefault(parameterId, 1.0));
        float corrected = (float) (lr * Math.sqrt(coef2) / coef1);
        if (!Float.isFinite(corrected)) {
            throw new IllegalStateException("learning rate is not finite at update " + t + ": " + corrected);
        }
        NDArray mean = means.computeIfAbsent(parameterId, k -> weight.zerosLike());
        NDArray variance = variances.computeIfAbsent(parameterId, k -> weight.zerosLike());
        weight.getNDArrayInternal().adamUpdate(new NDList(weight, grad, mean, variance), new NDList(weight), lr,
                corrected, getWeightDecay(), rescaleGrad, clipGrad, BETA1, BETA2, EPSILON, true, false);
    }

    /** Adds a linear warm-up over the first {@code steps} updates to the schedule ({@link LinearWarmup}). */
    public void warmUp(int steps) {
        learningRate = LinearWarmup.of(learningRate, steps);
    }

    /** Forgets every parameter's state (before state from elsewhere is put back). */
    public void clear() {
        means.values().forEach(NDArray::close);
        variances.values().forEach(NDArray::close);
        means.clear();
        variances.clear();
        counts.clear();
    }

    /** Multiplies one parameter's learning rate (a second network trained by the same Adam, say); 1 = the schedule's. */
    public void rateFactor(String parameterId, double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("rate factor must be finite and > 0, not " + factor);
        }
        rateFactors.put(parameterId, factor);
    }

    /** Multiplies the scheduled learning rate from the next update on. */
    public void scaleLearningRate(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("learning rate scale must be finite and > 0, not " + factor);
        }
        this.scale = factor;
    }

    /** The learning rate of the latest update (NaN before the first). */
    public double lastLearningRate() {
        return lastLearningRate;
    }

    /** The state of one parameter: its two moment estimates and how many updates it has had. */
    public record Moments(NDArray mean, NDArray variance, int updates) {}

    /** The live state of a parameter, or null before its first update. */
    public Moments moments(String parameterId) {
        NDArray mean = means.get(parameterId);
        return mean == null ? null : new Moments(mean, variances.get(parameterId), counts.get(parameterId));
    }

    /** Puts back a parameter's state; the arrays are copied next to the weight they belong to. */
    public void restore(String parameterId, NDArray weight, Moments moments) {
        means.put(parameterId, copyLike(moments.mean(), weight));
        variances.put(parameterId, copyLike(moments.variance(), weight));
        counts.put(parameterId, moments.updates());
    }

    private static NDArray copyLike(NDArray source, NDArray weight) {
        if (!source.getShape().equals(weight.getShape())) {
            throw new IllegalArgumentException("optimizer state of shape " + source.getShape()
                    + " does not fit a weight of shape " + weight.getShape());
        }
        NDArray copy = weight.zerosLike();
        copy.addi(source.toDevice(weight.getDevice(), false));
        return copy;
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
