package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;

/**
 * Next-token cross-entropy, averaged over the completion tokens of the whole batch (pretraining
 * and supervised fine-tuning). Pretraining puts the whole text in the completion, after BOS.
 */
public final class LanguageModelingLoss {

    private LanguageModelingLoss() {}

    public static NDArray of(NDArray logits, TokenBatch batch) {
        SequenceLogProbs lp = SequenceLogProbs.of(logits, batch);
        return lp.sum().sum().neg().div(lp.tokenCount().sum().maximum(1f));
    }
}
