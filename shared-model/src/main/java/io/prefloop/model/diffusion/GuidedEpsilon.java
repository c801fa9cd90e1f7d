package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

/**
 * Guided noise prediction with the network evaluations batched: CFG is one forward pass over 2N
 * rows ([prompt; ∅]); reward guidance is one pass of the reference over 2N rows plus one pass of the
 * policy over N rows (they are different weights, so they cannot share a pass), for any batch size
 * N. Passes whose weight is zero are skipped: w_rg = 0 needs no policy pass, w_text = 1 no ∅ rows.
 *
 * @param negativeTokens tokens used instead of ∅ for the unconditional branch (a negative prompt),
 *     or null for the learned null embedding
 */
public final class GuidedEpsilon {

    private GuidedEpsilon() {}

    /** ε̂ with classifier-free guidance scale {@code w} (see {@link Guidance#cfg}). */
    public static NDArray cfg(EpsilonNetwork net, ParameterStore ps, NDArray xt, NDArray t,
            NDArray tokens, NDArray negativeTokens, double w) {
        NDManager m = xt.getManager();
        int n = (int) xt.getShape().get(0);
        if (w == 1) {
            return net.predict(ps, xt, t, tokens, Tensors.zeros(m, n), false);
        }
        NDArray[] both = twoBranches(net, ps, xt, t, tokens, negativeTokens);
        return Guidance.cfg(both[1], both[0], w);
    }

    /** ε̂ with DCO reward guidance (see {@link Guidance#rewardGuided}). */
    public static NDArray rewardGuided(EpsilonNetwork policy, EpsilonNetwork reference, ParameterStore ps,
            NDArray xt, NDArray t, NDArray tokens, NDArray negativeTokens, double wText, double wRg) {
        NDManager m = xt.getManager();
        int n = (int) xt.getShape().get(0);
        NDArray refCond;
        NDArray refUncond;
        if (wText == 1) {
            refCond = reference.predict(ps, xt, t, tokens, Tensors.zeros(m, n), false);
            refUncond = refCond; // its weight (1 − w_text) is zero
        } else {
            NDArray[] both = twoBranches(reference, ps, xt, t, tokens, negativeTokens);
            refCond = both[0];
            refUncond = both[1];
        }
        NDArray policyCond = wRg == 0 ? refCond
                : policy.predict(ps, xt, t, tokens, Tensors.zeros(m, n), false);
        return Guidance.rewardGuided(policyCond, refCond, refUncond, wText, wRg);
    }

    /** One pass over [x; x]: returns {ε(x, prompt), ε(x, ∅ or negative prompt)}. */
    private static NDArray[] twoBranches(EpsilonNetwork net, ParameterStore ps, NDArray xt, NDArray t,
            NDArray tokens, NDArray negativeTokens) {
        NDManager m = xt.getManager();
        int n = (int) xt.getShape().get(0);
        NDArray x2 = Tensors.concat(xt, xt);
        NDArray t2 = Tensors.concat(t, t);
        NDArray useNull;
        NDArray tok2;
        if (negativeTokens == null) {
            tok2 = Tensors.concat(tokens, tokens);
            useNull = Tensors.concat(Tensors.zeros(m, n),
                    Tensors.ones(m, n));
        } else {
            tok2 = Tensors.concat(tokens, negativeTokens);
            useNull = Tensors.zeros(m, 2 * n);
        }
        NDArray eps = net.predict(ps, x2, t2, tok2, useNull, false);
        NDList split = eps.split(2);
        return new NDArray[] {split.get(0), split.get(1)};
    }
}
