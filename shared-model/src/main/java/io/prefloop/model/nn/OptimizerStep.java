package io.prefloop.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies an optimizer to every trainable parameter of a block after a backward pass, then zeroes
 * the gradients (what DJL's Trainer does, without its Model and metrics plumbing). Frozen
 * parameters are skipped.
 *
 * <p>Before the update it measures the global L2 norm of all trainable gradients (recorded as
 * {@link #lastGradNorm()}) and, when {@link #clipGradNorm(double) a bound} is set, scales every
 * gradient by min(1, max / (norm + 1e-6)), as torch's {@code clip_grad_norm_} does (diffusers'
 * train_diffusion_dpo.py clips at 1.0). A step whose gradient norm is not finite updates nothing:
 * Adam would carry the NaN into every weight and both moments.
 *
 * <p>Every step ends with the gradients set to zero by PyTorch's {@code zero_()}, never by
 * arithmetic: a NaN gradient minus itself is still NaN, and the next backward pass adds into the
 * gradient buffers, so one NaN step would poison every step after it, even after the weights were
 * put back to a good state.
 */
public final class OptimizerStep {

    private final Block block;
    private final Optimizer optimizer;
    private double maxGradNorm;
    private double lastGradNorm = Double.NaN;
    private List<String> lastNonFinite = List.of();

    public OptimizerStep(Block block, Optimizer optimizer) {
        this.block = block;
        this.optimizer = optimizer;
    }

    /** Adam (Kingma and Ba 2015) with a constant learning rate, the usual choice for preference fine-tuning. */
    public static OptimizerStep adam(Block block, float learningRate) {
        return adam(block, Tracker.fixed(learningRate));
    }

    public static OptimizerStep adam(Block block, Tracker learningRate) {
        return new OptimizerStep(block, new ResumableAdam(learningRate));
    }

    /** Adam with the learning rate decaying along a half cosine to a tenth of its start. */
    public static OptimizerStep adamCosine(Block block, float learningRate, int steps) {
        return adam(block, Tracker.cosine().setBaseValue(learningRate).optFinalValue(learningRate / 10)
                .setMaxUpdates(steps).build());
    }

    /** Clips the global gradient norm to {@code max} before each update; 0 turns clipping off (the default). */
    public OptimizerStep clipGradNorm(double max) {
        if (!(max >= 0) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("max gradient norm must be finite and >= 0, not " + max);
        }
        this.maxGradNorm = max;
        return this;
    }

    /** Warms the learning rate up linearly over the first {@code steps} updates ({@link LinearWarmup}); 0 = none. */
    public OptimizerStep warmUp(int steps) {
        resumable().warmUp(steps);
        return this;
    }

    /**
     * Multiplies the learning rate of {@code part}'s parameters (part of the optimized block) by
     * {@code factor}: two networks under one Adam, and one snapshot, at their own rates.
     * {@link #lastLearningRate()} stays the block's own rate.
     */
    public OptimizerStep rateFactor(Block part, double factor) {
        ResumableAdam adam = resumable();
        for (Pair<String, Parameter> pair : part.getParameters()) {
            adam.rateFactor(pair.getValue().getId(), factor);
        }
        return this;
    }

    /** Multiplies the learning rate from now on (1 = as scheduled): how a diverged job retries more gently. */
    public void scaleLearningRate(double factor) {
        resumable().scaleLearningRate(factor);
    }

    /** The global L2 norm of the gradients at the last step, before clipping (NaN before the first). */
    public double lastGradNorm() {
        return lastGradNorm;
    }

    /** The learning rate the last update used (after warm-up, schedule and scaling; NaN before the first). */
    public double lastLearningRate() {
        return optimizer instanceof ResumableAdam adam ? adam.lastLearningRate() : Double.NaN;
    }

    public void step() {
        List<Pair<String, Parameter>> trained = new ArrayList<>();
        for (Pair<String, Parameter> pair : block.getParameters()) {
            if (pair.getValue().requiresGradient()) {
                trained.add(pair);
            }
        }
        if (trained.isEmpty()) {
            return;
        }
        // gradient handles are new references to the same tensors: all of them, and the norms,
        // live in this manager and are closed with it (or they accumulate)
        try (NDManager scratch = trained.get(0).getValue().getArray().getManager().newSubManager()) {
            List<NDArray> gradients = new ArrayList<>(trained.size());
            NDList norms = new NDList(trained.size());
            for (Pair<String, Parameter> pair : trained) {
                NDArray gradient = pair.getValue().getArray().getGradient();
                gradient.attach(scratch);
                gradients.add(gradient);
                norms.add(gradient.toType(DataType.FLOAT32, false).norm());
            }
            // ‖g‖ = ‖(‖g_1‖, …, ‖g_n‖)‖: one op per parameter and two in all (a square, a sum and an
            // add per parameter took 3× the ops, which is noticeable at small batches)
            NDArray each = NDArrays.stack(norms);
            double norm = each.norm().getFloat();
            lastGradNorm = norm;
            lastNonFinite = List.of();
            if (Double.isFinite(norm)) {
                double factor = maxGradNorm > 0 ? Math.min(1, maxGradNorm / (norm + 1e-6)) : 1;
                for (int i = 0; i < trained.size(); i++) {
                    NDArray gradient = gradients.get(i);
                    if (factor < 1) {
                        gradient.muli((float) factor);
                    }
                    Parameter parameter = trained.get(i).getValue();
                    optimizer.update(parameter.getId(), parameter.getArray(), gradient);
                }
            } else {
                float[] perParameter = each.toFloatArray();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < trained.size(); i++) {
                    if (!Float.isFinite(perParameter[i])) {
                        names.add(trained.get(i).getKey());
                    }
                }
                lastNonFinite = List.copyOf(names);
            }
            trained.forEach(p -> zeroGradient(p.getValue().getArray()));
        }
    }

    /**
     * The parameters whose gradient had a NaN or an infinity at the last step, or whose norm
     * overflowed (empty when the step's gradient norm was finite): where a NaN came from.
     */
    public List<String> lastNonFiniteGradients() {
        return lastNonFinite;
    }

    /** Sets every trainable parameter's gradient to zero (after a state was put back, say). */
    public void zeroGradients() {
        for (Pair<String, Parameter> pair : block.getParameters()) {
            if (pair.getValue().requiresGradient()) {
                zeroGradient(pair.getValue().getArray());
            }
        }
    }

    private static void zeroGradient(NDArray weight) {
        if (weight instanceof PtNDArray pytorch) {
            JniUtils.zeroGrad(pytorch); // zero_(): NaN and infinities included
        } else {
            try (NDArray gradient = weight.getGradient()) {
                gradient.set(new NDIndex("..."), 0);
            }
        }
    }

    private static final String MEAN = "optimizer.mean.";
    private static final String VARIANCE = "optimizer.variance.";

    /**
     * The optimizer's state as named tensors (copies in {@code manager}, named by parameter path, so
     * they can be saved with the weights and put back into a rebuilt block in another process), and
     * the number of updates made so far.
     */
    public Map.Entry<NDList, Integer> state(NDManager manager) {
        ResumableAdam adam = resumable();
        NDList tensors = new NDList();
        int updates = 0;
        for (Pair<String, Parameter> pair : block.getParameters()) {
            ResumableAdam.Moments moments = adam.moments(pair.getValue().getId());
            if (moments != null) {
                NDArray mean = moments.mean().duplicate();
                mean.attach(manager);
                mean.setName(MEAN + pair.getKey());
                NDArray variance = moments.variance().duplicate();
                variance.attach(manager);
                variance.setName(VARIANCE + pair.getKey());
                tensors.add(mean);
                tensors.add(variance);
                updates = Math.max(updates, moments.updates());
            }
        }
        return Map.entry(tensors, updates);
    }

    /**
     * Puts back a state from {@link #state}: every parameter continues from update {@code updates};
     * whatever state the optimizer had is dropped.
     */
    public void restore(NDList tensors, int updates) {
        ResumableAdam adam = resumable();
        adam.clear();
        zeroGradients();
        Map<String, NDArray> byName = new HashMap<>();
        tensors.forEach(t -> byName.put(t.getName(), t));
        for (Pair<String, Parameter> pair : block.getParameters()) {
            NDArray mean = byName.get(MEAN + pair.getKey());
            NDArray variance = byName.get(VARIANCE + pair.getKey());
            if (mean != null && variance != null) {
                adam.restore(pair.getValue().getId(), pair.getValue().getArray(),
                        new ResumableAdam.Moments(mean, variance, updates));
            } else if (pair.getValue().requiresGradient() && updates > 0) {
                throw new IllegalArgumentException("the saved optimizer state has no moments for " + pair.getKey());
            }
        }
    }

    private ResumableAdam resumable() {
        if (optimizer instanceof ResumableAdam adam) {
            return adam;
        }
        throw new IllegalStateException("only Adam's state can be saved, not " + optimizer.getClass().getSimpleName());
    }
}
