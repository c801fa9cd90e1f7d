package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/** A conditional noise-prediction network ε(x_t, t, prompt). */
public interface EpsilonNetwork {

    /**
     * @param xt noisy images (N, C, H, W)
     * @param t timesteps (N), int32
     * @param tokens prompt token ids (N, L), int32, padded with {@link PromptEncoder#PAD}
     * @param useNull (N) float32, 1 where the learned null prompt ∅ replaces the tokens (CFG)
     * @return ε̂ shaped like {@code xt}
     */
    NDArray predict(ParameterStore ps, NDArray xt, NDArray t, NDArray tokens, NDArray useNull, boolean training);
}
