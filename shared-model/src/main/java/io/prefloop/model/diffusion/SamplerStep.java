package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * One reverse step x_t → x_prev: its Gaussian mean and standard deviation (σ = 0 for
 * deterministic DDIM), and the sample taken.
 */
public record SamplerStep(NDArray prevSample, NDArray mean, double sigma, NDArray predictedX0) {

    /** log p(prevSample | x_t) per sample, mean over pixels (see {@link GaussianLogProb}). */
    public NDArray logProb() {
        return GaussianLogProb.of(prevSample, mean, sigma);
    }

    /** log p(x | x_t) of a given (e.g. stored) next latent under this step's Gaussian. */
    public NDArray logProbOf(NDArray x) {
        return GaussianLogProb.of(x, mean, sigma);
    }
}
