package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.prefloop.model.diffusion.EpsilonNetwork;
import io.prefloop.model.diffusion.GuidedEpsilon;
import io.prefloop.model.diffusion.NoiseSchedule;
import io.prefloop.model.diffusion.SamplerSettings;

/**
 * Stored transitions x_k → x_{k+1} of several trajectories, row i at its own step: what one
 * policy-gradient pass evaluates.
 *
 * @param oldLogProb (N) log-probabilities as sampled
 * @param steps the step index k of each row (the value network's time input)
 * @param rewards the reward of each row's trajectory
 */
public record Transitions(NDArray x, NDArray next, NDArray oldLogProb, int[] t, int[] tPrev, int[] steps,
        NDArray tokens, double[] rewards) {

    /**
     * The Gaussian of each row's step under {@code net}, with classifier-free guidance at the
     * sampler's scale: the log-probability is of the guided transition, which is what was sampled
     * (ddpo-pytorch's train.cfg).
     */
    public RowDdimStep step(EpsilonNetwork net, ParameterStore ps, NoiseSchedule schedule, SamplerSettings s) {
        NDArray tt = x.getManager().create(t);
        NDArray eps = GuidedEpsilon.cfg(net, ps, x, tt, tokens, null, s.cfgScale());
        return RowDdimStep.of(schedule, x, eps, t, tPrev, s.eta(), s.clipX0());
    }

    public int size() {
        return t.length;
    }
}
