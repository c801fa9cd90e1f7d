package io.prefloop.trainer.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a policy's gate decides about a published checkpoint: promote only when its gate metric
 * reaches the minimum and its quality_regression stays within the bound, both present and finite.
 * A missing or non-finite value (NaN, ±∞, or a string such as "NaN" where a number belongs) is a
 * refusal whose reason names it; the decision never rests on a comparison with NaN.
 *
 * @param value the gate metric's value, null unless a finite number
 * @param regression quality_regression, null unless a finite number
 */
public record GateDecision(boolean promoted, Double value, Double regression, String reason) {

    static final String REGRESSION = "quality_regression";

    public static GateDecision decide(PolicyView.Gate gate, Map<String, Object> metrics) {
        Object rawValue = metrics.get(gate.metric());
        Object rawRegression = metrics.get(REGRESSION);
        Double value = finite(rawValue);
        Double regression = finite(rawRegression);
        List<String> parts = new ArrayList<>();
        boolean reaches = value != null && value >= gate.min();
        parts.add(value == null ? problem(gate.metric(), rawValue)
                : gate.metric() + " = " + value + (reaches ? " ≥ " : " not ≥ ") + gate.min());
        boolean keepsQuality = regression != null && regression <= gate.maxRegression();
        parts.add(regression == null ? problem(REGRESSION, rawRegression)
                : REGRESSION + " = " + regression + (keepsQuality ? " ≤ " : " not ≤ ") + gate.maxRegression());
        return new GateDecision(reaches && keepsQuality, value, regression, String.join(", ", parts));
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
