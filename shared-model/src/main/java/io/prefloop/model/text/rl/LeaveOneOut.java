package io.prefloop.model.text.rl;

/**
 * RLOO's advantages (Ahmadian et al. 2024, "Back to basics: revisiting REINFORCE style
 * optimization for learning from human feedback in LLMs", the RLOO estimator; Kool et al. 2019): each of
 * the k samples of a prompt is compared with the mean reward of the other k − 1,
 * A_i = r_i − (Σ_j r_j − r_i) / (k − 1).
 */
public final class LeaveOneOut {

    private LeaveOneOut() {}

    /**
     * @param rewards grouped by prompt: indices [p·k, (p + 1)·k) are prompt p's samples (TRL's
     *     RLOOTrainer orders them the other way round, sample-major; the result is the same)
     */
    public static double[] advantages(double[] rewards, int k) {
        if (k < 2 || rewards.length % k != 0) {
            throw new IllegalArgumentException("need k >= 2 samples per prompt and a multiple of k rewards");
        }
        double[] out = new double[rewards.length];
        for (int start = 0; start < rewards.length; start += k) {
            double sum = 0;
            for (int i = start; i < start + k; i++) {
                sum += rewards[i];
            }
            for (int i = start; i < start + k; i++) {
                out[i] = rewards[i] - (sum - rewards[i]) / (k - 1);
            }
        }
        return out;
    }

    /** (A − mean) / (std + 1e-8) with the unbiased std, as TRL's normalize_advantage. */
    public static double[] normalized(double[] advantages) {
        int n = advantages.length;
        double mean = 0;
        for (double a : advantages) {
            mean += a;
        }
        mean /= n;
        double squares = 0;
        for (double a : advantages) {
            squares += (a - mean) * (a - mean);
        }
        double std = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = (advantages[i] - mean) / (std + 1e-8);
        }
        return out;
    }
}
