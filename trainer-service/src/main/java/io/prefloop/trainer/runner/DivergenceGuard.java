package io.prefloop.trainer.runner;

import io.prefloop.trainer.job.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, step by step, whether a training run has diverged. A non-finite metric (loss, grad_norm,
 * anything the step reported) trips it at once. Otherwise it watches one ratio against the
 * frozen reference or the run's own start, and trips when the ratio stays above {@code bound} for
 * {@code patience} consecutive steps; one step back at or below the bound starts the count again.
 * <ul>
 *   <li>diffusion_dpo, dco, d3po, ddpo, dpok: {@code model_mse / ref_mse}, the policy's denoising error over the
 *       reference's on the same batch (a Diffusion-DPO run with wrong convolution gradients, docs/djl.md, went from 1 to 25 in 40 steps);
 *   <li>dpo: the policy's NLL of the chosen replies over the reference's ({@code logps/chosen /
 *       ref_logps/chosen}, both log-probabilities, so the ratio of the negative log-likelihoods);
 *   <li>ppo, rloo: {@code ref_nll}, the frozen reference's NLL per token of the step's rollouts, over
 *       its mean over the run's first {@value #BASELINE_STEPS} steps: a policy that drifts into text
 *       the reference would never write (the reward model's blind spots) makes it climb;
 *   <li>otherwise, or when those metrics are missing: {@code loss} over the mean loss of the run's
 *       first {@value #BASELINE_STEPS} steps (while the baseline is not positive, only non-finite
 *       values trip).
 * </ul>
 * A bound of 0 turns the ratio watch off; non-finite values still trip. What to do about a trip is
 * {@link ResumableTraining}'s business.
 */
final class DivergenceGuard {

    static final int BASELINE_STEPS = 5;

    /** The watched ratio of a step, or empty when the step does not have what it takes. */
    private interface Watch {
        Optional<Double> ratio(Map<String, Double> metrics);
    }

    private final String watched;
    private final Watch watch;
    private final double bound;
    private final int patience;
    private final List<Double> baseline = new ArrayList<>();
    private final List<String> above = new ArrayList<>();
    private int firstAbove;

    private DivergenceGuard(String watched, Watch watch, double bound, int patience) {
        this.watched = watched;
        this.watch = watch;
        this.bound = bound;
        this.patience = patience;
    }

    /** The guard for a method, with its bound ({@code divergence_ratio}) and patience ({@code divergence_patience}). */
    static DivergenceGuard forMethod(Method method, double bound, int patience) {
        return switch (method) {
            case DIFFUSION_DPO, DCO, D3PO, DDPO, DPOK -> new DivergenceGuard("model_mse / ref_mse",
                    m -> quotient(m.get("model_mse"), m.get("ref_mse")), bound, patience);
            case DPO -> new DivergenceGuard("NLL of the chosen replies, policy / reference",
                    m -> quotient(m.get("logps/chosen"), m.get("ref_logps/chosen")), bound, patience)
                    .orElseLoss();
            case PPO, RLOO -> baselineGuard("ref_nll", "the reference's NLL per token of the rollouts / its mean over the"
                    + " first " + BASELINE_STEPS + " steps", bound, patience);
            default -> lossGuard(bound, patience);
        };
    }

    /** Watches a metric against the mean of its values over the run's first steps. */
    private static DivergenceGuard baselineGuard(String key, String watched, double bound, int patience) {
        List<Double> first = new ArrayList<>();
        return new DivergenceGuard(watched, m -> {
            Double value = m.get(key);
            if (value == null) {
                return Optional.empty();
            }
            if (first.size() < BASELINE_STEPS) {
                first.add(value);
                return Optional.empty();
            }
            double mean = first.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            return mean > 0 ? Optional.of(value / mean) : Optional.empty();
        }, bound, patience);
    }

    /** Watches the loss against the mean of the first steps' loss. */
    static DivergenceGuard lossGuard(double bound, int patience) {
        return new DivergenceGuard("loss / mean loss of the first " + BASELINE_STEPS + " steps", null, bound, patience);
    }

    /** When this guard's metrics are missing, watch the loss instead. */
    private DivergenceGuard orElseLoss() {
        DivergenceGuard loss = lossGuard(bound, patience);
        Watch primary = watch;
        return new DivergenceGuard(watched, m -> {
            Optional<Double> own = primary.ratio(m);
            return own.isPresent() ? own : loss.baselineRatio(m);
        }, bound, patience);
    }

    /**
     * Takes a finished step's metrics.
     *
     * @return why training diverged, when it did at this step
     */
    Optional<String> observe(int step, Map<String, Double> metrics) {
        List<String> bad = metrics.entrySet().stream()
                .filter(e -> e.getValue() == null || !Double.isFinite(e.getValue()))
                .map(e -> e.getKey() + " = " + e.getValue()).sorted().toList();
        if (!bad.isEmpty()) {
            above.clear();
            return Optional.of(String.join(", ", bad) + " at step " + step);
        }
        Optional<Double> ratio = watch == null ? baselineRatio(metrics) : watch.ratio(metrics);
        if (bound <= 0 || ratio.isEmpty() || ratio.get() <= bound) {
            above.clear();
            return Optional.empty();
        }
        if (above.isEmpty()) {
            firstAbove = step;
        }
        above.add(format(ratio.get()));
        if (above.size() < patience) {
            return Optional.empty();
        }
        String reason = watched + " above " + format(bound) + " for " + above.size() + " consecutive steps ("
                + (above.size() == 1 ? "step " + step : "steps " + firstAbove + "–" + step) + ": "
                + String.join(", ", above) + ")";
        above.clear();
        return Optional.of(reason);
    }

    /** True while no step is counting towards a trip: the state is worth keeping. */
    boolean healthy() {
        return above.isEmpty();
    }

    /** Forgets the steps counted towards a trip (after the state was put back); the loss baseline stays. */
    void restarted() {
        above.clear();
    }

    String watched() {
        return watched;
    }

    private Optional<Double> baselineRatio(Map<String, Double> metrics) {
        Double loss = metrics.get("loss");
        if (loss == null) {
            return Optional.empty();
        }
        if (baseline.size() < BASELINE_STEPS) {
            baseline.add(loss);
            return Optional.empty();
        }
        double mean = baseline.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return mean > 0 ? Optional.of(loss / mean) : Optional.empty();
    }

    /** a / b when b is a usable denominator (non-zero, same sign as a log-likelihood or an error). */
    private static Optional<Double> quotient(Double a, Double b) {
        if (a == null || b == null || b == 0 || Math.signum(a) * Math.signum(b) < 0) {
            return Optional.empty();
        }
        return Optional.of(a / b);
    }

    /** Three significant digits, never in exponent notation (0.00001, 2.41, 1230); NaN and ∞ as Java writes them. */
    static String format(double v) {
        return Double.isFinite(v) ? new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros()
                .toPlainString() : Double.toString(v);
    }
}
