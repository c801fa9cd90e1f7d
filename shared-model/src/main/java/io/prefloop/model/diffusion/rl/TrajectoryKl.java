package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.prefloop.model.diffusion.UNet;

/**
 * KL(p_θ ‖ p_ref) of whole sampling trajectories, estimated on trajectories sampled from the
 * policy: the sum over steps of the per-step Gaussian KL (DPOK, Fan et al. 2023, §4: an upper bound on the KL of the final images), per
 * pixel ({@link GaussianKl#perPixel}), averaged over the rollout's trajectories.
 */
public final class TrajectoryKl {

    private TrajectoryKl() {}

    public static double of(UNet policy, UNet reference, Rollout rollout, NDManager manager) {
        ParameterStore ps = new ParameterStore(manager, false);
        double total = 0;
        int n = rollout.size();
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        for (int k = 0; k < rollout.usableSteps(); k++) {
            int[] steps = new int[n];
            java.util.Arrays.fill(steps, k);
            try (NDManager m = manager.newSubManager()) {
                Transitions tr = rollout.transitions(m, policy, rows, steps);
                RowDdimStep p = tr.step(policy, ps, policy.spec().noiseSchedule(), rollout.settings());
                RowDdimStep r = tr.step(reference, ps, policy.spec().noiseSchedule(), rollout.settings());
                total += GaussianKl.perPixel(p.mean(), r.mean(), p.sigma()).mean().getFloat();
            }
        }
        return total;
    }
}
