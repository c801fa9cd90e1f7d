package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * A DDIM step with stochasticity η (Song et al. 2021, eq. 12 and eq. 16), as diffusers'
 * DDIMScheduler.step and ddpo-pytorch's ddim_step_with_logprob compute it:
 * <pre>
 *   x̂0    = (x_t − √(1−ᾱ_t)·ε̂) / √ᾱ_t                      (clipped to [−1, 1] if asked)
 *   σ_t   = η·√((1−ᾱ_prev)/(1−ᾱ_t)·(1 − ᾱ_t/ᾱ_prev))      (eq. 16)
 *   mean  = √ᾱ_prev·x̂0 + √(1−ᾱ_prev−σ_t²)·ε̂
 *   x_prev = mean + σ_t·z,  z ~ N(0, I)
 * </pre>
 * η = 0 is deterministic DDIM; η = 1 is the DDPM posterior (see {@link DdpmStep}). Like
 * ddpo-pytorch (and unlike diffusers' {@code use_clipped_model_output}), ε̂ is not re-derived after
 * clipping x̂0.
 */
public final class DdimStep implements ReverseStep {

    @Override
    public SamplerStep step(NoiseSchedule schedule, NDArray xt, NDArray eps, int t, int tPrev, SamplerSettings settings,
            NDArray noise) {
        return step(schedule, xt, eps, t, tPrev, settings.eta(), settings.clipX0(), noise);
    }

    public static double sigma(NoiseSchedule s, int t, int tPrev, double eta) {
        double a = s.alphaBar(t);
        double ap = s.alphaBar(tPrev);
        return eta * Math.sqrt((1 - ap) / (1 - a) * (1 - a / ap));
    }

    /**
     * @param noise z ~ N(0, I) shaped like x_t; may be null when σ_t = 0 or when only the step's
     *     Gaussian is needed (e.g. the log-probability of a stored next latent)
     */
    public static SamplerStep step(NoiseSchedule s, NDArray xt, NDArray eps, int t, int tPrev,
            double eta, boolean clipX0, NDArray noise) {
        double a = s.alphaBar(t);
        double ap = s.alphaBar(tPrev);
        NDArray x0 = xt.sub(eps.mul(Math.sqrt(1 - a))).div(Math.sqrt(a));
        if (clipX0) {
            x0 = x0.clip(-1, 1);
        }
        double sigma = sigma(s, t, tPrev, eta);
        double dirCoef = Math.sqrt(Math.max(0, 1 - ap - sigma * sigma));
        NDArray mean = x0.mul(Math.sqrt(ap)).add(eps.mul(dirCoef));
        NDArray prev = sigma > 0 && noise != null ? mean.add(noise.mul(sigma)) : mean;
        return new SamplerStep(prev, mean, sigma, x0);
    }
}
