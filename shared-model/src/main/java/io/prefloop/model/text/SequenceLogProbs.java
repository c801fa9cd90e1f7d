package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Log-probability of each completion given its prompt: the sum over completion tokens of
 * log p(token_t | tokens_<t). Prompt and padding positions are masked out, as TRL's
 * {@code selective_log_softmax} with its loss mask does.
 *
 * @param sum (B) summed token log-probabilities
 * @param tokenCount (B) number of completion tokens counted
 */
public record SequenceLogProbs(NDArray sum, NDArray tokenCount) {

    /**
     * @param logits (B, T, V) from the language model, position t predicting token t + 1
     * @param batch the tokens and masks the logits were computed from
     */
    public static SequenceLogProbs of(NDArray logits, TokenBatch batch) {
        long time = logits.getShape().get(1);
        if (time < 2) {
            NDArray zeros = batch.completionMask().sum(new int[] {1}).zerosLike();
            return new SequenceLogProbs(zeros, zeros);
        }
        NDArray mask = batch.completionMask().get(new NDIndex(":, 1:"));
        // masked positions may hold any id (PAD need not be in the vocabulary): gather token 0 there
        NDArray targets = batch.tokens().get(new NDIndex(":, 1:")).mul(mask.toType(DataType.INT64, false));
        NDArray tokenLogProbs = logits.get(new NDIndex(":, :-1, :"))
                .logSoftmax(2)
                .gather(targets.expandDims(2), 2)
                .squeeze(2);
        // where, not a product with the mask: −∞ (or NaN) at a masked position times 0 would be NaN
        NDArray sum = NDArrays.where(mask.gt(0f), tokenLogProbs, tokenLogProbs.zerosLike()).sum(new int[] {1});
        return new SequenceLogProbs(sum, mask.sum(new int[] {1}).toType(DataType.FLOAT32, false));
    }

    /** Mean log-probability per completion token (TRL's IPO length normalisation); 0 for none. */
    public NDArray mean() {
        return sum.div(tokenCount.maximum(1f));
    }
}
