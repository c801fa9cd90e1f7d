package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * One reverse step x_t → x_prev of a sampler, given ε̂ at t. Each {@link SamplerSettings.Kind}
 * names its step; a new sampler (Euler, DPM-Solver, …) is a new implementation and a new kind.
 */
public interface ReverseStep {

    /**
     * @param noise z ~ N(0, I) shaped like x_t, drawn by the caller so that each image's seed fixes
     *     it; used only when the step's σ > 0
     */
    SamplerStep step(NoiseSchedule schedule, NDArray xt, NDArray eps, int t, int tPrev, SamplerSettings settings,
            NDArray noise);
}
