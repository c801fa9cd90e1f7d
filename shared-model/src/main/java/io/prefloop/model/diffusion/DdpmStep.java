package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * Ancestral DDPM step from the posterior q(x_prev | x_t, x̂0) (Ho et al. 2020, eq. 6–7), over
 * possibly strided timesteps t → t_prev, as diffusers' DDPMScheduler does with
 * α'_t = ᾱ_t/ᾱ_prev and β'_t = 1 − α'_t:
 * <pre>
 *   x̂0   = (x_t − √(1−ᾱ_t)·ε̂) / √ᾱ_t
 *   mean = √ᾱ_prev·β'_t/(1−ᾱ_t)·x̂0 + √α'_t·(1−ᾱ_prev)/(1−ᾱ_t)·x_t
 *   σ²   = β'_t·(1−ᾱ_prev)/(1−ᾱ_t)                                   ("fixed small" variance)
 * </pre>
 * Without clipping it equals {@link DdimStep} at η = 1 (Song et al. 2021, §4.1); a test checks it.
 */
public final class DdpmStep implements ReverseStep {

    @Override
    public SamplerStep step(NoiseSchedule schedule, NDArray xt, NDArray eps, int t, int tPrev, SamplerSettings settings,
            NDArray noise) {
        return step(schedule, xt, eps, t, tPrev, settings.clipX0(), noise);
    }

    public static SamplerStep step(NoiseSchedule s, NDArray xt, NDArray eps, int t, int tPrev,
            boolean clipX0, NDArray noise) {
        double a = s.alphaBar(t);
        double ap = s.alphaBar(tPrev);
        double alphaT = a / ap;
        double betaT = 1 - alphaT;
        NDArray x0 = xt.sub(eps.mul(Math.sqrt(1 - a))).div(Math.sqrt(a));
        if (clipX0) {
            x0 = x0.clip(-1, 1);
        }
        NDArray mean = x0.mul(Math.sqrt(ap) * betaT / (1 - a))
                .add(xt.mul(Math.sqrt(alphaT) * (1 - ap) / (1 - a)));
        double sigma = Math.sqrt(betaT * (1 - ap) / (1 - a));
        NDArray prev = sigma > 0 ? mean.add(noise.mul(sigma)) : mean;
        return new SamplerStep(prev, mean, sigma, x0);
    }
}
