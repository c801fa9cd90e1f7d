package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;

/** The guidance formulas, on already-computed noise predictions. */
public final class Guidance {

    private Guidance() {}

    /**
     * Classifier-free guidance (Ho &amp; Salimans 2022, eq. 6, in diffusers' form with scale w = 1 + their w):
     * ε̂ = ε(x_t, ∅) + w·(ε(x_t, z) − ε(x_t, ∅)). w = 1 is the conditional model, w = 0 the unconditional.
     */
    public static NDArray cfg(NDArray epsUncond, NDArray epsCond, double w) {
        return epsUncond.add(epsCond.sub(epsUncond).mul(w));
    }

    /**
     * DCO reward guidance (Lee et al. 2024, "Direct Consistency Optimization", §3.3, and
     * kyungmnlee/dco reward_guidance.py):
     * ε̂ = w_rg·(ε_θ(x_t,z) − ε_ref(x_t,z)) + w_text·(ε_ref(x_t,z) − ε_ref(x_t,∅)) + ε_ref(x_t,∅).
     * w_rg = 0 is plain CFG on the reference; w_rg = 1 with w_text = 1 is the fine-tuned model alone.
     */
    public static NDArray rewardGuided(NDArray epsPolicyCond, NDArray epsRefCond, NDArray epsRefUncond,
            double wText, double wRg) {
        NDArray out = epsRefUncond.add(epsRefCond.sub(epsRefUncond).mul(wText));
        return wRg == 0 ? out : out.add(epsPolicyCond.sub(epsRefCond).mul(wRg));
    }
}
