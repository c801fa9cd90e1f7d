package io.prefloop.model.text.rl;

/**
 * The reward of each completion token (Ziegler et al. 2019, eq. 2; InstructGPT eq. 2):
 * r_t = −β·KL_t, plus the score at the last token, with the k1 estimator
 * KL_t = log π(y_t | ·) − log π_ref(y_t | ·) of the sampled token (TRL's default kl_estimator).
 *
 * <p>TRL's PPOTrainer adds the score one position after the last token (at sequence_length + 1,
 * where the value is that of padding) unless the completion filled the whole response; here it goes
 * on the last completion token (EOS when there is one), as the papers and TRL's RLOOTrainer with
 * token_level_kl do, so no value is trained on a padding position.
 */
public final class KlPenalty {

    private KlPenalty() {}

    /** k1 per token: log π − log π_ref. */
    public static float[] kl(float[] logProbs, float[] refLogProbs) {
        float[] out = new float[logProbs.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = logProbs[t] - refLogProbs[t];
        }
        return out;
    }

    /** The per-token rewards of one completion. */
    public static float[] rewards(float[] logProbs, float[] refLogProbs, double score, double beta) {
        float[] kl = kl(logProbs, refLogProbs);
        float[] out = new float[kl.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = (float) (-beta * kl[t]);
        }
        out[out.length - 1] += (float) score;
        return out;
    }

    /** Σ_t KL_t of one completion. */
    public static double sum(float[] logProbs, float[] refLogProbs) {
        double sum = 0;
        for (int t = 0; t < logProbs.length; t++) {
            sum += logProbs[t] - refLogProbs[t];
        }
        return sum;
    }
}
