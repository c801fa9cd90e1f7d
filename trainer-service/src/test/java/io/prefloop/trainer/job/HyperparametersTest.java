package io.prefloop.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Defaults per method (their validation: JobApiTest). */
class HyperparametersTest {

    @Test
    void diffusionMethodsWarmUpAndWatchTheMseRatioAtTwo_othersAtThree() {
        for (Method method : new Method[] {Method.DIFFUSION_DPO, Method.DCO, Method.D3PO}) {
            Map<String, Object> h = Hyperparameters.resolve(method, Map.of());
            assertThat(h).as(method.json()).containsEntry("warmup_steps", 10).containsEntry("divergence_ratio", 2.0)
                    .containsEntry("max_grad_norm", 1.0).containsEntry("divergence_patience", 5);
        }
        for (Method method : new Method[] {Method.DPO, Method.REWARD_MODEL}) {
            assertThat(Hyperparameters.resolve(method, Map.of())).as(method.json()).containsEntry("warmup_steps", 0)
                    .containsEntry("divergence_ratio", 3.0).containsEntry("max_grad_norm", 1.0);
        }
        assertThat(Hyperparameters.resolve(Method.PRETRAIN, Map.of())).as("the committed bases were made unclipped")
                .containsEntry("max_grad_norm", 0.0).containsEntry("warmup_steps", 0);
    }

    @Test
    void policyMethodsDefaultToTheClosedLoopsSettings() {
        assertThat(Hyperparameters.resolve(Method.DIFFUSION_DPO, Map.of())).containsEntry("steps", 150)
                .containsEntry("batch_size", 32).containsEntry("learning_rate", 5e-5).containsEntry("beta", 500.0)
                .containsEntry("sft_weight", 500.0);
        assertThat(Hyperparameters.resolve(Method.DPO, Map.of())).containsEntry("steps", 40)
                .containsEntry("batch_size", 16).containsEntry("learning_rate", 3e-5).containsEntry("beta", 0.5)
                .containsEntry("rpo_alpha", 2.0);
        assertThat(Hyperparameters.resolve(Method.DCO, Map.of())).as("others keep the common defaults")
                .containsEntry("steps", 300).containsEntry("learning_rate", 1e-4);
    }

    @Test
    void zeroTurnsClippingAndTheRatioWatchOff() {
        Map<String, Object> h = Hyperparameters.resolve(Method.DPO, Map.of("max_grad_norm", 0, "divergence_ratio", 0));
        assertThat(h).containsEntry("max_grad_norm", 0.0).containsEntry("divergence_ratio", 0.0);
    }
}
