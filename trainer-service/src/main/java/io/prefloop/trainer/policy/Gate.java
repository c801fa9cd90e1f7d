package io.prefloop.trainer.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A policy's promotion gate: a published checkpoint passes when its {@code metric} reaches
 * {@code min} and its {@code quality_regression} against its parent stays within
 * {@code maxRegression}, both present and finite. A missing or non-finite value (NaN, ±∞, or a
 * string such as "NaN" where a number belongs) is a refusal whose reason names it; the decision
 * never rests on a comparison with NaN.
 */
public record Gate(String metric, double min, double maxRegression, Integer minVotes) {

    static final String REGRESSION = "quality_regression";

    /** The metric of a gate on labelers' votes: a campaign's side-by-side evaluation decides it. */
    public static final String HUMAN_WIN_RATE = "human_win_rate";

    /** Votes a human gate waits for when the policy does not say (min_votes). */
    public static final int DEFAULT_MIN_VOTES = 100;

    public Gate(String metric, double min, double maxRegression) {
        this(metric, min, maxRegression, null);
    }

    /** Whether labelers' votes decide it (the checkpoint is rendered, paired against the current one, judged). */
    public boolean human() {
        return HUMAN_WIN_RATE.equals(metric);
    }

    public int minVotesOrDefault() {
        return minVotes == null ? DEFAULT_MIN_VOTES : minVotes;
    }

    /** What the gate decides before any vote: a human gate can still refuse a regression at once. */
    public GateDecision checkRegression(Map<String, Object> metrics) {
        Object raw = metrics.get(REGRESSION);
        Double regression = finite(raw);
        boolean keepsQuality = regression != null && regression <= maxRegression;
        String reason = regression == null ? problem(REGRESSION, raw)
                : REGRESSION + " = " + regression + (keepsQuality ? " ≤ " : " not ≤ ") + maxRegression;
        return new GateDecision(this, keepsQuality, null, regression, reason);
    }

    public GateDecision evaluate(Map<String, Object> metrics) {
        Object rawValue = metrics.get(metric);
        Object rawRegression = metrics.get(REGRESSION);
        Double value = finite(rawValue);
        Double regression = finite(rawRegression);
        List<String> parts = new ArrayList<>();
        boolean reaches = value != null && value >= min;
        parts.add(value == null ? problem(metric, rawValue)
                : metric + " = " + value + (reaches ? " ≥ " : " not ≥ ") + min);
        boolean keepsQuality = regression != null && regression <= maxRegression;
        parts.add(regression == null ? problem(REGRESSION, rawRegression)
                : REGRESSION + " = " + regression + (keepsQuality ? " ≤ " : " not ≤ ") + maxRegression);
        return new GateDecision(this, reaches && keepsQuality, value, regression, String.join(", ", parts));
    }

    private static Double finite(Object metric) {
        return metric instanceof Number n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
    }

    private static String problem(String name, Object raw) {
        if (raw == null) {
            return name + " is missing from the checkpoint's metrics";
        }
        if (raw instanceof Number n) {
            return name + " is " + n + ", not a finite number";
        }
        return name + " is " + (raw instanceof String ? "\"" + raw + "\"" : raw) + ", not a finite number";
    }
}
