package io.prefloop.model.text.rl;

/**
 * Ziegler et al. 2019, section 2.2: e_t = clip(KL_t / KL_target − 1, −0.2, 0.2) and
 * β_{t+1} = β_t (1 + K_β e_t), with K_β = n / horizon for a batch of n rollouts, as TRL's
 * AdaptiveKLController (TRL ≤ 0.11, defaults init 0.2, target 6, horizon 10,000) computes it.
 */
public final class AdaptiveKlController implements KlController {

    private static final double MAX_ERROR = 0.2;

    private final double target;
    private final double horizon;
    private double value;

    public AdaptiveKlController(double initial, double target, double horizon) {
        if (!(initial > 0) || Double.isInfinite(initial) || !(target > 0) || Double.isInfinite(target)
                || !(horizon > 0) || Double.isInfinite(horizon)) {
            throw new IllegalArgumentException("init kl_coef, target and horizon must be finite and > 0");
        }
        this.value = initial;
        this.target = target;
        this.horizon = horizon;
    }

    @Override
    public double value() {
        return value;
    }

    @Override
    public void update(double currentKl, int steps) {
        double error = Math.max(-MAX_ERROR, Math.min(MAX_ERROR, currentKl / target - 1));
        value *= 1 + error * steps / horizon;
    }

    @Override
    public void restore(double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("KL coefficient must be finite and > 0, not " + value);
        }
        this.value = value;
    }
}
