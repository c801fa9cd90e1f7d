package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;

/**
 * KL divergence between the policy's and the reference's Gaussian reverse transitions at one
 * step. Both have the same covariance σ²·I (σ is the sampler's), so (DPOK, Fan et al. 2023, §4: the
 * trajectory's KL is bounded by the sum of these over the steps) KL(p_θ(x_{t−1}|x_t) ‖ p_ref(x_{t−1}|x_t)) = ‖μ_θ − μ_ref‖² / (2σ²).
 */
public final class GaussianKl {

    private GaussianKl() {}

    /** The exact KL per sample, summed over the pixels: shape (N); {@code sigma} (N) per row. */
    public static NDArray of(NDArray meanPolicy, NDArray meanReference, NDArray sigma) {
        long n = meanPolicy.getShape().get(0);
        NDArray sq = meanPolicy.sub(meanReference).square().reshape(n, -1).sum(new int[] {1});
        return sq.div(sigma.square().mul(2));
    }

    /**
     * The KL divided by the number of pixels: the scale of {@link io.prefloop.model.diffusion.GaussianLogProb},
     * which averages over pixels as ddpo-pytorch does, so one {@code kl_weight} suits any image size.
     */
    public static NDArray perPixel(NDArray meanPolicy, NDArray meanReference, NDArray sigma) {
        long n = meanPolicy.getShape().get(0);
        long pixels = meanPolicy.getShape().size() / n;
        return of(meanPolicy, meanReference, sigma).div(pixels);
    }
}
