package io.prefloop.model.diffusion.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.diffusion.LossResult;
import io.prefloop.model.diffusion.NoiseSchedule;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.nn.OptimizerStep;
import java.util.Map;
import java.util.Random;

/**
 * DPOK (Fan et al. 2023, Algorithm 1) on one sampled {@link Rollout}: per minibatch, one regression
 * step of the {@link ValueNetwork} on random (trajectory, step) states towards their trajectory's
 * reward, then the policy's {@link DpokLoss} over a random subset of each trajectory's steps with
 * the advantage r − V(x_t, t, z) and the per-step KL to the frozen reference; the gradients of both
 * are accumulated and one optimizer update (over {@link PolicyWithValue}) applies them.
 *
 * <p>Departures from google-research/dpok: the value function and the policy share one Adam, the
 * value network's parameters at their own rate ({@link OptimizerStep#rateFactor}), so that one
 * snapshot holds both states (the reference has two optimizers, at 1e-5 and 1e-4); the value
 * head starts at zero with V = the first batch's mean reward ({@link ValueNetwork#startAt}), where
 * the reference starts from Xavier weights and trains V five times per sampling round; states are drawn from the current batch only, not from a replay buffer of
 * earlier rounds (an on-policy baseline, and a job that resumes needs no buffer); the KL is the
 * exact Gaussian one of the means ({@link GaussianKl}), where the reference uses the squared
 * difference of the guided ε predictions.
 */
public final class DpokTrainer {

    private final PolicyWithValue model;
    private final UNet reference;
    private final NoiseSchedule schedule;
    private final OptimizerStep update;
    private final DpokConfig config;
    private final DpokLoss loss;
    private final NDManager manager;
    private final ParameterStore store;

    /** @param update an optimizer over {@code model} (policy and value network together) */
    public DpokTrainer(PolicyWithValue model, UNet reference, OptimizerStep update, DpokLoss loss, DpokConfig config,
            NDManager manager) {
        this.model = model;
        this.reference = reference;
        this.schedule = model.policy().spec().noiseSchedule();
        this.update = update;
        this.config = config;
        this.loss = loss;
        this.manager = manager;
        this.store = new ParameterStore(manager, false);
    }

    public Map<String, Double> train(Rollout rollout, Random rng) {
        model.value().startAt(rollout.meanReward());
        StepMetrics metrics = new StepMetrics();
        for (int epoch = 0; epoch < config.innerEpochs(); epoch++) {
            int[][] batches = PermutedRows.minibatches(rng, rollout.size(), config.trainBatch());
            int[][] subset = TimestepSubset.choose(rng, rollout.size(), rollout.usableSteps(), config.timestepFraction());
            for (int[] rows : batches) {
                metrics.add("value_loss", valueStep(rollout, rng));
                int columns = subset[0].length;
                for (int j = 0; j < columns; j++) {
                    metrics.add(pass(rollout, rows, PermutedRows.column(subset, rows, j), columns, j == 0));
                }
                update.step();
            }
        }
        return metrics.means();
    }

    /** Mean squared error of V on random states of the batch; its gradient is accumulated. */
    private double valueStep(Rollout rollout, Random rng) {
        int n = config.valueBatch();
        int[] rows = new int[n];
        int[] steps = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = rng.nextInt(rollout.size());
            steps[i] = rng.nextInt(rollout.usableSteps());
        }
        try (NDManager m = manager.newSubManager()) {
            Transitions tr = rollout.transitions(m, model.policy(), rows, steps);
            NDArray target = m.create(toFloat(tr.rewards()));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray v = model.value().value(store, tr.x(), m.create(tr.steps()), tr.tokens(), true);
                NDArray mse = v.sub(target).square().mean();
                gc.backward(mse);
                return mse.getFloat();
            }
        }
    }

    private Map<String, Double> pass(Rollout rollout, int[] rows, int[] steps, int columns, boolean watch) {
        try (NDManager m = manager.newSubManager()) {
            Transitions tr = rollout.transitions(m, model.policy(), rows, steps);
            NDArray baseline = model.value().value(store, tr.x(), m.create(tr.steps()), tr.tokens(), false).stopGradient();
            NDArray advantages = m.create(toFloat(tr.rewards())).sub(baseline);
            RowDdimStep ref = tr.step(reference, store, schedule, rollout.settings());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                RowDdimStep step = tr.step(model.policy(), store, schedule, rollout.settings());
                NDArray kl = GaussianKl.perPixel(step.mean(), ref.mean(), step.sigma());
                LossResult r = loss.compute(step.logProbOf(tr.next()), tr.oldLogProb(), advantages, kl);
                Map<String, Double> out = new java.util.LinkedHashMap<>(r.metrics());
                out.put("advantage_abs", (double) advantages.abs().mean().getFloat());
                if (watch) {
                    out.put("step_mse", DdpoTrainer.mse(tr.next(), step.mean().stopGradient()));
                    out.put("step_mse_ref", DdpoTrainer.mse(tr.next(), ref.mean()));
                }
                gc.backward(r.loss().div(columns));
                return out;
            }
        }
    }

    private static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }
}
