package io.prefloop.model.text.rl;

/** β stays where it started (TRL's FixedKLController; its newer PPOTrainer and RLOOTrainer only have this). */
public final class FixedKlController implements KlController {

    private final double value;

    public FixedKlController(double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("kl_coef must be a finite number >= 0");
        }
        this.value = value;
    }

    @Override
    public double value() {
        return value;
    }

    @Override
    public void update(double currentKl, int steps) {}

    /** Nothing to put back: β never changed. */
    @Override
    public void restore(double value) {}
}
