package io.prefloop.trainer.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.trainer.job.Method;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The guard's decisions on made-up metric sequences. */
class DivergenceGuardTest {

    @Test
    void aNonFiniteMetricTripsAtOnceEvenWithTheRatioWatchOff() {
        DivergenceGuard guard = DivergenceGuard.forMethod(Method.DIFFUSION_DPO, 0, 5);
        assertThat(guard.observe(1, mse(0.012, 0.012))).isEmpty();
        Optional<String> trip = guard.observe(2, Map.of("loss", Double.NaN, "model_mse", 0.01, "ref_mse", 0.01));
        assertThat(trip).hasValueSatisfying(r -> assertThat(r).contains("loss = NaN").contains("step 2"));
        assertThat(DivergenceGuard.forMethod(Method.DPO, 3, 5).observe(1, Map.of("loss", 0.7, "grad_norm",
                Double.POSITIVE_INFINITY))).hasValueSatisfying(r -> assertThat(r).contains("grad_norm = Infinity"));
    }

    @Test
    void rlWatchesTheReferencesNllOfTheRolloutsAgainstItsFirstStepsMean() {
        for (Method method : new Method[] {Method.PPO, Method.RLOO}) {
            DivergenceGuard guard = DivergenceGuard.forMethod(method, 3, 2);
            for (int step = 1; step <= 5; step++) {
                // the baseline: 0.1, 0.2, 0.1, 0.2, 0.15 (mean 0.15); a loss near 0 is never the watch
                assertThat(guard.observe(step, Map.of("ref_nll", step % 2 == 0 ? 0.2 : step == 5 ? 0.15 : 0.1,
                        "loss/policy_avg", -0.01))).isEmpty();
            }
            assertThat(guard.observe(6, Map.of("ref_nll", 0.44))).as("2.9× the baseline").isEmpty();
            assertThat(guard.observe(7, Map.of("ref_nll", 0.6))).isEmpty();
            assertThat(guard.healthy()).isFalse();
            assertThat(guard.observe(8, Map.of("ref_nll", 0.9))).hasValueSatisfying(r -> assertThat(r)
                    .contains("the reference's NLL per token of the rollouts / its mean over the first 5 steps above 3")
                    .contains("steps 7–8").contains("4, 6"));
        }
    }

    @Test
    void theMseRatioAboveTheBoundForPatienceStepsTrips_andSaysWhatWhereAndTheNumbers() {
        DivergenceGuard guard = DivergenceGuard.forMethod(Method.DIFFUSION_DPO, 2, 3);
        assertThat(guard.observe(1, mse(0.012, 0.012))).isEmpty();
        assertThat(guard.healthy()).isTrue();
        assertThat(guard.observe(2, mse(0.03, 0.012))).isEmpty();
        assertThat(guard.healthy()).isFalse();
        assertThat(guard.observe(3, mse(0.06, 0.012))).isEmpty();
        Optional<String> trip = guard.observe(4, mse(0.3, 0.012));
        assertThat(trip).hasValueSatisfying(r -> assertThat(r).contains("model_mse / ref_mse above 2 for 3 consecutive steps")
                .contains("steps 2–4").contains("2.5, 5, 25"));
    }

    @Test
    void ddpoAndDpokWatchTheDenoisingErrorRatioNotTheirPolicyGradientLoss() {
        for (Method method : new Method[] {Method.DDPO, Method.DPOK}) {
            DivergenceGuard guard = DivergenceGuard.forMethod(method, 2, 2);
            // a policy-gradient loss swings in sign and size from round to round: it must not be what trips
            assertThat(guard.observe(1, Map.of("loss", 0.01, "model_mse", 0.012, "ref_mse", 0.012))).isEmpty();
            assertThat(guard.observe(2, Map.of("loss", -5.0, "model_mse", 0.013, "ref_mse", 0.012))).isEmpty();
            assertThat(guard.observe(3, Map.of("loss", 0.2, "model_mse", 0.05, "ref_mse", 0.012))).isEmpty();
            assertThat(guard.observe(4, Map.of("loss", 0.2, "model_mse", 0.06, "ref_mse", 0.012)))
                    .as(method.json()).hasValueSatisfying(r -> assertThat(r).contains("model_mse / ref_mse above 2"));
        }
    }

    @Test
    void aStepBackAtOrBelowTheBoundStartsTheCountAgain() {
        DivergenceGuard guard = DivergenceGuard.forMethod(Method.DCO, 2, 3);
        assertThat(guard.observe(1, mse(3, 1))).isEmpty();
        assertThat(guard.observe(2, mse(3, 1))).isEmpty();
        assertThat(guard.observe(3, mse(2, 1))).as("at the bound is healthy").isEmpty();
        assertThat(guard.healthy()).isTrue();
        assertThat(guard.observe(4, mse(3, 1))).isEmpty();
        assertThat(guard.observe(5, mse(3, 1))).isEmpty();
        assertThat(guard.observe(6, mse(3, 1))).isPresent();
        guard.restarted();
        assertThat(guard.healthy()).isTrue();
        assertThat(guard.observe(7, mse(3, 1))).as("counting starts again after a restart").isEmpty();
    }

    @Test
    void dpoWatchesTheChosenRepliesNllAgainstTheReference() {
        DivergenceGuard guard = DivergenceGuard.forMethod(Method.DPO, 3, 2);
        assertThat(guard.observe(1, Map.of("loss", 0.69, "logps/chosen", -20.0, "ref_logps/chosen", -20.0))).isEmpty();
        assertThat(guard.observe(2, Map.of("loss", 0.5, "logps/chosen", -70.0, "ref_logps/chosen", -20.0))).isEmpty();
        assertThat(guard.observe(3, Map.of("loss", 0.4, "logps/chosen", -90.0, "ref_logps/chosen", -20.0)))
                .hasValueSatisfying(r -> assertThat(r).contains("NLL of the chosen replies").contains("3.5, 4.5"));
    }

    @Test
    void otherMethodsWatchTheLossAgainstTheFirstSteps() {
        DivergenceGuard guard = DivergenceGuard.forMethod(Method.REWARD_MODEL, 3, 2);
        for (int step = 1; step <= DivergenceGuard.BASELINE_STEPS; step++) {
            assertThat(guard.observe(step, Map.of("loss", 0.7))).isEmpty();
        }
        assertThat(guard.observe(6, Map.of("loss", 0.3))).isEmpty();
        assertThat(guard.observe(7, Map.of("loss", 2.8))).isEmpty();
        assertThat(guard.observe(8, Map.of("loss", 1.0))).as("back under 3 × 0.7").isEmpty();
        assertThat(guard.observe(9, Map.of("loss", 2.8))).isEmpty();
        assertThat(guard.observe(10, Map.of("loss", 3.5))).hasValueSatisfying(r -> assertThat(r)
                .contains("loss / mean loss of the first 5 steps above 3").contains("steps 9–10"));
    }

    @Test
    void dpoWithoutReferenceLogProbsFallsBackToTheLoss() {
        DivergenceGuard guard = DivergenceGuard.forMethod(Method.DPO, 3, 1);
        for (int step = 1; step <= DivergenceGuard.BASELINE_STEPS; step++) {
            assertThat(guard.observe(step, Map.of("loss", 0.7))).isEmpty();
        }
        assertThat(guard.observe(6, Map.of("loss", 30.0))).isPresent();
    }

    private static Map<String, Double> mse(double model, double reference) {
        return Map.of("loss", 0.7, "model_mse", model, "ref_mse", reference);
    }
}
