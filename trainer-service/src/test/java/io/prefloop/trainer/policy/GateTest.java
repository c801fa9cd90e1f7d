package io.prefloop.trainer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gate refuses what it cannot compare, and says which metric it was. */
class GateTest {

    private static final Gate GATE = new Gate("heldout_rewards/accuracies", 0.5, 0.1);

    @Test
    void promotesWhenBothAreFiniteAndWithinBounds() {
        GateDecision d = GATE.evaluate(Map.of("heldout_rewards/accuracies", 0.75, "quality_regression", 0.02));
        assertThat(d.promoted()).isTrue();
        assertThat(d.reason()).isEqualTo("heldout_rewards/accuracies = 0.75 ≥ 0.5, quality_regression = 0.02 ≤ 0.1");
    }

    @Test
    void refusesANanMetricAndNamesIt() {
        GateDecision d = GATE.evaluate(Map.of("heldout_rewards/accuracies", Double.NaN,
                "quality_regression", 0.0));
        assertThat(d.promoted()).isFalse();
        assertThat(d.value()).isNull();
        assertThat(d.reason()).contains("heldout_rewards/accuracies is NaN, not a finite number");
    }

    @Test
    void refusesANanQualityRegressionEvenWhenTheMetricPasses() {
        GateDecision d = GATE.evaluate(Map.of("heldout_rewards/accuracies", 1.0,
                "quality_regression", Double.NaN));
        assertThat(d.promoted()).isFalse();
        assertThat(d.reason()).contains("quality_regression is NaN, not a finite number");
        // as JSON stores it: a string where a number belongs
        assertThat(GATE.evaluate(Map.of("heldout_rewards/accuracies", 1.0, "quality_regression", "NaN"))
                .reason()).contains("quality_regression is \"NaN\", not a finite number");
    }

    @Test
    void refusesAMissingMetricAndNamesIt() {
        Map<String, Object> metrics = new HashMap<>();
        metrics.put("quality_regression", 0.0);
        GateDecision d = GATE.evaluate(metrics);
        assertThat(d.promoted()).isFalse();
        assertThat(d.reason()).contains("heldout_rewards/accuracies is missing from the checkpoint's metrics");
        assertThat(GATE.evaluate(Map.of("heldout_rewards/accuracies", 0.9)).reason())
                .contains("quality_regression is missing");
    }

    @Test
    void refusesInfinity() {
        assertThat(GATE.evaluate(Map.of("heldout_rewards/accuracies", Double.POSITIVE_INFINITY,
                "quality_regression", 0.0)).promoted()).isFalse();
    }
}
