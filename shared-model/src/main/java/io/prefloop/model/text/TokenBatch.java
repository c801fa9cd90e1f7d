package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Prompt+completion sequences, right-padded to the longest in the batch.
 *
 * @param tokens (B, T) int64 ids, PAD after the end of each sequence
 * @param attentionMask (B, T) float, 1 on real tokens
 * @param completionMask (B, T) float, 1 on completion tokens (the tokens whose log-probability counts)
 */
public record TokenBatch(NDArray tokens, NDArray attentionMask, NDArray completionMask) {

    public static TokenBatch of(NDManager manager, List<PromptCompletion> rows, int padId, int maxLength) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        List<PromptCompletion> fitted = rows.stream().map(r -> r.truncate(maxLength)).toList();
        int time = fitted.stream().mapToInt(PromptCompletion::length).max().orElseThrow();
        int batch = fitted.size();
        long[] tokens = new long[batch * time];
        float[] attention = new float[batch * time];
        float[] completion = new float[batch * time];
        for (int b = 0; b < batch; b++) {
            PromptCompletion row = fitted.get(b);
            int offset = b * time;
            for (int t = 0; t < time; t++) {
                int p = row.prompt().length;
                if (t < p) {
                    tokens[offset + t] = row.prompt()[t];
                    attention[offset + t] = 1;
                } else if (t < row.length()) {
                    tokens[offset + t] = row.completion()[t - p];
                    attention[offset + t] = 1;
                    completion[offset + t] = 1;
                } else {
                    tokens[offset + t] = padId;
                }
            }
        }
        return new TokenBatch(
                manager.create(tokens).reshape(batch, time),
                manager.create(attention).reshape(batch, time),
                manager.create(completion).reshape(batch, time));
    }

    /** The model's inputs: tokens and attention mask. */
    public NDList inputs() {
        return new NDList(tokens, attentionMask);
    }

    public int size() {
        return (int) tokens.getShape().get(0);
    }
}
