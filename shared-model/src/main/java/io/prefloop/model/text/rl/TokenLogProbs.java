package io.prefloop.model.text.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.prefloop.model.text.TokenBatch;

/**
 * Per-token log-probabilities and entropies of completions, in the shifted layout (B, T − 1):
 * position t holds what the model at position t says about token t + 1. Positions that are not
 * completion tokens hold 0.
 */
public final class TokenLogProbs {

    private TokenLogProbs() {}

    /** (B, T − 1) float, 1 where position t predicts a completion token. */
    public static NDArray mask(TokenBatch batch) {
        return batch.completionMask().get(new NDIndex(":, 1:"));
    }

    /** @param logits (B, T, V) */
    public static NDArray of(NDArray logits, TokenBatch batch) {
        NDArray mask = mask(batch);
        // masked positions may hold PAD, which need not be a vocabulary id: gather token 0 there
        NDArray targets = batch.tokens().get(new NDIndex(":, 1:")).mul(mask.toType(DataType.INT64, false));
        NDArray logProbs = logits.get(new NDIndex(":, :-1, :")).logSoftmax(2).gather(targets.expandDims(2), 2).squeeze(2);
        return NDArrays.where(mask.gt(0f), logProbs, logProbs.zerosLike());
    }

    /** Entropy of each position's next-token distribution, −Σ p log p, (B, T − 1); 0 off the mask. */
    public static NDArray entropy(NDArray logits, TokenBatch batch) {
        NDArray logProbs = logits.get(new NDIndex(":, :-1, :")).logSoftmax(2);
        NDArray entropy = logProbs.exp().mul(logProbs).sum(new int[] {2}).neg();
        return NDArrays.where(mask(batch).gt(0f), entropy, entropy.zerosLike());
    }
}
