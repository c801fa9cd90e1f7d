package io.prefloop.model.diffusion;

import io.prefloop.model.nn.OptimizerStep;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One D3PO update (Yang et al. 2024) on step k of stored winner and loser trajectories sampled with
 * DDIM (η &gt; 0) and CFG: the log-probability of the stored transition x_k → x_{k−1} under the
 * policy (with gradient) and the frozen reference (without), then {@link D3poLoss}. As in
 * yk7333/d3po, both models are evaluated with classifier-free guidance. Besides the loss's metrics a
 * step reports {@code model_mse} and {@code ref_mse}: the mean squared distance of the policy's and
 * the reference's step means from the stored x_{k−1}, whose ratio the trainer's divergence guard watches.
 */
public final class D3poTrainer {

    private final UNet policy;
    private final UNet reference;
    private final NoiseSchedule schedule;
    private final D3poLoss loss;
    private final OptimizerStep update;
    private final ParameterStore store;

    public D3poTrainer(UNet policy, UNet reference, D3poLoss loss, OptimizerStep update, NDManager manager) {
        this.policy = policy;
        this.reference = reference;
        this.schedule = policy.spec().noiseSchedule();
        this.loss = loss;
        this.update = update;
        this.store = new ParameterStore(manager, false);
    }

    /**
     * @param winner the preferred trajectory, {@code loser} the other (same prompts row by row)
     * @param k index of the step in the trajectories (0 = the first, from x_T)
     */
    public LossResult step(Sampler.Trajectory winner, Sampler.Trajectory loser, int k, NDArray tokens,
            SamplerSettings s) {
        try (NDManager m = tokens.getManager().newSubManager()) {
            tokens.tempAttach(m);
            int t = winner.timesteps()[k];
            int prev = schedule.previousTimestep(t, s.steps());
            NDArray xw = winner.latents().get(k).duplicate();
            NDArray xl = loser.latents().get(k).duplicate();
            NDArray nextW = winner.latents().get(k + 1);
            NDArray nextL = loser.latents().get(k + 1);
            xw.attach(m);
            xl.attach(m);
            NDArray x = Tensors.concat(xw, xl);
            NDArray tok = Tensors.concat(tokens, tokens);
            int n = (int) x.getShape().get(0);
            int[] tv = new int[n];
            java.util.Arrays.fill(tv, t);
            NDArray tt = m.create(tv);
            NDArray next = Tensors.concat(nextW, nextL);
            next.attach(m);

            NDArray refEps = GuidedEpsilon.cfg(reference, store, x, tt, tok, null, s.cfgScale());
            SamplerStep refStep = DdimStep.step(schedule, x, refEps, t, prev, s.eta(), s.clipX0(), null);
            NDArray refLp = refStep.logProbOf(next);
            LossResult r;
            Map<String, Double> metrics;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray eps = GuidedEpsilon.cfg(policy, store, x, tt, tok, null, s.cfgScale());
                SamplerStep step = DdimStep.step(schedule, x, eps, t, prev, s.eta(), s.clipX0(), null);
                NDArray lp = step.logProbOf(next);
                int half = n / 2;
                r = loss.compute(lp.get("0:" + half), refLp.get("0:" + half), lp.get(half + ":"), refLp.get(half + ":"));
                metrics = new LinkedHashMap<>(r.metrics());
                // how far each model's step mean lies from the stored x_{k−1}: the policy drifting
                // away from the reference shows here before the clamped loss can show it
                metrics.put("model_mse", (double) next.sub(step.mean().stopGradient()).square().mean().getFloat());
                metrics.put("ref_mse", (double) next.sub(refStep.mean()).square().mean().getFloat());
                gc.backward(r.loss());
            }
            update.step();
            return new LossResult(null, metrics);
        }
    }
}
