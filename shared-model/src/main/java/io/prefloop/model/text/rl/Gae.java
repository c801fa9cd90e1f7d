package io.prefloop.model.text.rl;

/**
 * Generalised advantage estimation (Schulman et al. 2016, "High-dimensional continuous control
 * using generalized advantage estimation", eq. 16): δ_t = r_t + γ V_{t+1} − V_t and
 * A_t = Σ_l (γλ)^l δ_{t+l}, computed backwards as TRL does; the returns are A_t + V_t (the value
 * loss's target). The state after a completion's last token is terminal (V = 0), for completions
 * cut off at max_tokens too, as in TRL.
 *
 * @param gamma discount (TRL default 1: the score comes once, at the end)
 * @param lambda bias–variance trade-off (TRL default 0.95)
 */
public record Gae(double gamma, double lambda) {

    public Gae {
        if (!(gamma >= 0 && gamma <= 1) || !(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("gamma and lam must be in [0, 1]");
        }
    }

    /** Advantages of one completion's tokens. */
    public float[] advantages(float[] rewards, float[] values) {
        if (rewards.length != values.length) {
            throw new IllegalArgumentException(rewards.length + " rewards for " + values.length + " values");
        }
        float[] out = new float[rewards.length];
        double last = 0;
        for (int t = rewards.length - 1; t >= 0; t--) {
            double next = t + 1 < values.length ? values[t + 1] : 0;
            double delta = rewards[t] + gamma * next - values[t];
            last = delta + gamma * lambda * last;
            out[t] = (float) last;
        }
        return out;
    }

    /** A_t + V_t. */
    public static float[] returns(float[] advantages, float[] values) {
        float[] out = new float[values.length];
        for (int t = 0; t < values.length; t++) {
            out[t] = advantages[t] + values[t];
        }
        return out;
    }
}
