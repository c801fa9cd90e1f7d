package io.prefloop.model.diffusion.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.diffusion.LossResult;
import io.prefloop.model.diffusion.NoiseSchedule;
import io.prefloop.model.diffusion.Tensors;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.nn.OptimizerStep;
import java.util.Map;
import java.util.Random;

/**
 * DDPO-IS (Black et al. 2023, §4.3) on one sampled {@link Rollout}, as ddpo-pytorch's train.py's
 * training half: advantages clipped to ±adv_clip_max; for each inner epoch the trajectories are
 * shuffled and each gets its own random subset of steps; per minibatch, for each column of those
 * subsets, the guided log-probability of the stored transition under the policy and the
 * {@link ClippedRatioLoss}, gradients accumulated over the columns (each loss divided by their
 * number, as accelerate's accumulation does) and one optimizer update per minibatch.
 *
 * <p>With a reference, the first column of every minibatch also reports {@code step_mse} and
 * {@code step_mse_ref} (distance of the policy's and the reference's step means from the stored next
 * latent, as D3PO's model_mse and ref_mse) and {@code kl} (per-pixel KL of the two transitions,
 * {@link GaussianKl#perPixel}): monitoring only, DDPO has no KL term.
 */
public final class DdpoTrainer {

    private final UNet policy;
    private final UNet reference;
    private final NoiseSchedule schedule;
    private final OptimizerStep update;
    private final DdpoConfig config;
    private final ClippedRatioLoss loss;
    private final NDManager manager;
    private final ParameterStore store;

    /** @param reference the frozen start for the metrics, or null */
    public DdpoTrainer(UNet policy, UNet reference, OptimizerStep update, DdpoConfig config, NDManager manager) {
        this.policy = policy;
        this.reference = reference;
        this.schedule = policy.spec().noiseSchedule();
        this.update = update;
        this.config = config;
        this.loss = new ClippedRatioLoss(config.clipRange());
        this.manager = manager;
        this.store = new ParameterStore(manager, false);
    }

    /** @param advantages one per trajectory (from {@link PerPromptStatTracker}), before clipping */
    public Map<String, Double> train(Rollout rollout, double[] advantages, Random rng) {
        double[] clipped = Advantages.clip(advantages, config.advClipMax());
        StepMetrics metrics = new StepMetrics();
        for (int epoch = 0; epoch < config.innerEpochs(); epoch++) {
            int[][] batches = PermutedRows.minibatches(rng, rollout.size(), config.trainBatch());
            int[][] subset = TimestepSubset.choose(rng, rollout.size(), rollout.usableSteps(), config.timestepFraction());
            for (int[] rows : batches) {
                int columns = subset[0].length;
                for (int j = 0; j < columns; j++) {
                    metrics.add(pass(rollout, rows, PermutedRows.column(subset, rows, j), clipped, columns,
                            j == 0 && reference != null));
                }
                update.step();
            }
        }
        return metrics.means();
    }

    private Map<String, Double> pass(Rollout rollout, int[] rows, int[] steps, double[] advantages, int columns,
            boolean watch) {
        try (NDManager m = manager.newSubManager()) {
            Transitions tr = rollout.transitions(m, policy, rows, steps);
            float[] a = new float[rows.length];
            for (int i = 0; i < rows.length; i++) {
                a[i] = (float) advantages[rows[i]];
            }
            RowDdimStep ref = watch ? tr.step(reference, store, schedule, rollout.settings()) : null;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                RowDdimStep step = tr.step(policy, store, schedule, rollout.settings());
                LossResult r = loss.compute(step.logProbOf(tr.next()), tr.oldLogProb(), m.create(a));
                Map<String, Double> out = new java.util.LinkedHashMap<>(r.metrics());
                if (watch) {
                    NDArray mean = step.mean().stopGradient();
                    out.put("step_mse", mse(tr.next(), mean));
                    out.put("step_mse_ref", mse(tr.next(), ref.mean()));
                    out.put("kl", (double) GaussianKl.perPixel(mean, ref.mean(), step.sigma()).mean().getFloat());
                }
                gc.backward(r.loss().div(columns));
                return out;
            }
        }
    }

    static double mse(NDArray a, NDArray b) {
        return Tensors.perSampleMse(a, b).mean().getFloat();
    }
}
