package io.prefloop.model.text.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.text.Generation;
import io.prefloop.model.text.PromptCompletion;
import io.prefloop.model.text.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A batch of sampled completions with what the update needs of each: per completion token the
 * rollout policy's and the reference's log-probabilities and (PPO) the value, and the completion's
 * score. Per-token arrays are ragged: row i has one entry per completion token.
 *
 * @param rows prompt (BOS first) and sampled tokens (EOS last when sampled), fitted to max_length
 * @param values null without a value head
 * @param scores the reward function's scores, missing_eos_penalty already subtracted
 */
public record Rollouts(List<String> prompts, List<Generation> generations, List<PromptCompletion> rows,
        float[][] logProbs, float[][] refLogProbs, float[][] values, double[] scores) {

    public int size() {
        return rows.size();
    }

    /** The rows' tokens, right-padded (rows are already fitted to max_length). */
    public TokenBatch batch(NDManager manager, int[] indices, int padId) {
        List<PromptCompletion> chosen = new ArrayList<>(indices.length);
        for (int i : indices) {
            chosen.add(rows.get(i));
        }
        return TokenBatch.of(manager, chosen, padId, Integer.MAX_VALUE);
    }

    /**
     * Per-token values of the chosen rows in the shifted layout of {@link TokenLogProbs}: (n, width),
     * row i's completion token j at position prompt_i − 1 + j, 0 elsewhere.
     */
    public NDArray padded(NDManager manager, float[][] perToken, int[] indices, int width) {
        float[] flat = new float[indices.length * width];
        for (int r = 0; r < indices.length; r++) {
            int row = indices[r];
            int offset = rows.get(row).prompt().length - 1;
            System.arraycopy(perToken[row], 0, flat, r * width + offset, perToken[row].length);
        }
        return manager.create(flat).reshape(indices.length, width);
    }

    /** The ragged per-token values of a (B, T − 1) shifted-layout array of rows {@code indices}. */
    public float[][] ragged(float[] flat, int[] indices, int width) {
        float[][] out = new float[indices.length][];
        for (int r = 0; r < indices.length; r++) {
            PromptCompletion row = rows.get(indices[r]);
            int offset = r * width + row.prompt().length - 1;
            out[r] = Arrays.copyOfRange(flat, offset, offset + row.completion().length);
        }
        return out;
    }

    /** Share of completions that ended with EOS. */
    public double finishedRate() {
        return generations.stream().filter(Generation::finished).count() / (double) generations.size();
    }
}
