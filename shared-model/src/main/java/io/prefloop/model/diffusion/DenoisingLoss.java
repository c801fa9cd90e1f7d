package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.Random;

/**
 * The simplified DDPM objective ‖ε − ε_θ(x_t, t, c)‖², averaged over pixels and batch (Ho et al.
 * 2020, eq. 14), with the prompt replaced by the learned null embedding for a fraction
 * {@code promptDropout} of the samples so that one network also learns ε(x_t, ∅) for classifier-free
 * guidance (Ho &amp; Salimans 2022, Algorithm 1).
 */
public final class DenoisingLoss {

    private DenoisingLoss() {}

    /** Which samples drop their prompt: 1 with probability {@code p}. */
    public static float[] dropMask(int n, double p, Random rng) {
        float[] mask = new float[n];
        for (int i = 0; i < n; i++) {
            mask[i] = rng.nextDouble() < p ? 1f : 0f;
        }
        return mask;
    }

    /**
     * @param x0 clean images (N, C, H, W); noise ε ~ N(0, I) of the same shape; t per sample
     */
    public static LossResult compute(EpsilonNetwork net, ParameterStore ps, NoiseSchedule schedule,
            NDArray x0, NDArray noise, int[] t, NDArray tokens, float[] dropMask) {
        NDManager m = x0.getManager();
        NDArray xt = Noising.addNoise(schedule, x0, noise, t);
        NDArray eps = net.predict(ps, xt, m.create(t), tokens, m.create(dropMask), true);
        NDArray loss = eps.sub(noise).square().mean();
        return new LossResult(loss, Map.of("loss", (double) loss.getFloat()));
    }
}
