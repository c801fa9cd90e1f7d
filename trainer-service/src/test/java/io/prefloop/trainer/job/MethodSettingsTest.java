package io.prefloop.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prefloop.common.web.ApiException;
import io.prefloop.model.reward.TiePolicy;
import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoLossType;
import io.prefloop.trainer.job.settings.DpoSettings;
import io.prefloop.trainer.job.settings.MethodSettings;
import io.prefloop.trainer.job.settings.PpoSettings;
import io.prefloop.trainer.job.settings.PretrainSettings;
import io.prefloop.trainer.job.settings.RewardModelSettings;
import io.prefloop.trainer.job.settings.RlooSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each method's typed settings: defaults, bounds, binding (validation through the API: JobApiTest). */
class MethodSettingsTest {

    @Test
    void diffusionMethodsWarmUpAndWatchTheMseRatioAtTwo_othersAtThree() {
        for (Method method : new Method[] {Method.DIFFUSION_DPO, Method.DCO, Method.D3PO}) {
            Map<String, Object> h = method.resolve(Map.of());
            assertThat(h).as(method.json()).containsEntry("warmup_steps", 10).containsEntry("divergence_ratio", 2.0)
                    .containsEntry("max_grad_norm", 1.0).containsEntry("divergence_patience", 5);
        }
        for (Method method : new Method[] {Method.DPO, Method.REWARD_MODEL}) {
            assertThat(method.resolve(Map.of())).as(method.json()).containsEntry("warmup_steps", 0)
                    .containsEntry("divergence_ratio", 3.0).containsEntry("max_grad_norm", 1.0);
        }
        assertThat(Method.PRETRAIN.resolve(Map.of())).as("the committed bases were made unclipped")
                .containsEntry("max_grad_norm", 0.0).containsEntry("warmup_steps", 0);
    }

    @Test
    void policyMethodsDefaultToTheClosedLoopsSettings() {
        assertThat(Method.DIFFUSION_DPO.resolve(Map.of())).containsEntry("steps", 150)
                .containsEntry("batch_size", 32).containsEntry("learning_rate", 5e-5).containsEntry("beta", 500.0)
                .containsEntry("sft_weight", 500.0);
        assertThat(Method.DPO.resolve(Map.of())).containsEntry("steps", 40)
                .containsEntry("batch_size", 16).containsEntry("learning_rate", 3e-5).containsEntry("beta", 0.5)
                .containsEntry("rpo_alpha", 2.0);
        assertThat(Method.DCO.resolve(Map.of())).as("others keep the common defaults")
                .containsEntry("steps", 300).containsEntry("learning_rate", 1e-4);
    }

    @Test
    void zeroTurnsClippingAndTheRatioWatchOff() {
        Map<String, Object> h = Method.DPO.resolve(Map.of("max_grad_norm", 0, "divergence_ratio", 0));
        assertThat(h).containsEntry("max_grad_norm", 0.0).containsEntry("divergence_ratio", 0.0);
    }

    @Test
    void theStoredHyperparametersBindToTheMethodsTypedSettings() {
        Map<String, Object> stored = Method.DPO.resolve(Map.of("beta", 0.2, "loss_type", "robust", "label_smoothing", 0.1));
        DpoSettings dpo = (DpoSettings) Method.DPO.settings(stored);
        assertThat(dpo.beta()).isEqualTo(0.2);
        assertThat(dpo.lossType()).isEqualTo(DpoLossType.ROBUST);
        assertThat(dpo.config().labelSmoothing()).isEqualTo(0.1);
        assertThat(dpo.training().steps()).isEqualTo(40);
        assertThat(dpo.training().learningRate()).isEqualTo(3e-5);
        assertThat(dpo.heldoutFraction()).isEqualTo(0.1);

        RewardModelSettings reward = (RewardModelSettings) Method.REWARD_MODEL.settings(Map.of("ties", "half"));
        assertThat(reward.ties()).as("a key missing from an older job takes its default; the rest are read")
                .isEqualTo(TiePolicy.HALF);
        assertThat(reward.training().batchSize()).isEqualTo(16);
        assertThat(((PretrainSettings) Method.PRETRAIN.settings(Map.of("world", "replies"))).world())
                .isEqualTo(PretrainSettings.World.REPLIES);
    }

    @Test
    void everyMethodsSettingsAreItsRecordsComponentsAndItsDefaultsBind() {
        for (Method method : Method.values()) {
            // ppo and rloo have no default reward model: it must be named
            Map<String, Object> defaults = method.resolve(method == Method.PPO || method == Method.RLOO
                    ? Map.of("reward_model", "rm") : Map.of());
            MethodSettings settings = method.settings(defaults);
            assertThat(settings.training().steps()).as(method.json()).isEqualTo(defaults.get("steps"));
            assertThat(settings.training().divergencePatience()).isEqualTo(defaults.get("divergence_patience"));
        }
    }

    @Test
    void theApiAndTheLossRefuseTheSameLabelSmoothing() {
        assertThatThrownBy(() -> Method.DPO.resolve(Map.of("label_smoothing", DpoConfig.LABEL_SMOOTHING_LIMIT)))
                .isInstanceOf(ApiException.class).hasMessageContaining("hyperparameters.label_smoothing: must be >= 0 and < 0.5");
        assertThatThrownBy(() -> new DpoConfig(0.1, DpoLossType.SIGMOID, DpoConfig.LABEL_SMOOTHING_LIMIT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Method.DPO.resolve(Map.of("label_smoothing", 0.4999))).containsEntry("label_smoothing", 0.4999);
        // a combination only the loss knows is wrong is refused at submission, not when the job runs
        assertThatThrownBy(() -> Method.DPO.resolve(Map.of("label_smoothing", 0.1, "loss_type", "hinge")))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("hyperparameters.label_smoothing: label_smoothing applies to the sigmoid and robust losses only");
    }

    @Test
    void ppoAndRlooSettingsAreCheckedAndNameTheKeyAtFault() {
        assertThatThrownBy(() -> Method.PPO.resolve(Map.of("reward_model", "rm", "kl_coef", Double.NaN)))
                .isInstanceOf(ApiException.class).hasMessageContaining("hyperparameters.kl_coef: must be finite");
        assertThatThrownBy(() -> Method.PPO.resolve(Map.of("kl_coef", 0.1)))
                .isInstanceOf(ApiException.class).hasMessageContaining("hyperparameters.reward_model: is required");
        assertThatThrownBy(() -> Method.PPO.resolve(Map.of("reward_model", 3)))
                .isInstanceOf(ApiException.class).hasMessageContaining("hyperparameters.reward_model: must be a string");
        assertThatThrownBy(() -> Method.PPO.resolve(Map.of("reward_model", "rm", "batch_size", 4, "num_mini_batches", 8)))
                .isInstanceOf(ApiException.class).hasMessageContaining("hyperparameters.num_mini_batches");
        assertThatThrownBy(() -> Method.PPO.resolve(Map.of("reward_model", "rm", "cliprange", 1.0)))
                .isInstanceOf(ApiException.class).hasMessageContaining("hyperparameters.cliprange: must be >= 0 and < 1");
        assertThatThrownBy(() -> Method.RLOO.resolve(Map.of("reward_model", "rm", "batch_size", 10, "rloo_k", 4)))
                .isInstanceOf(ApiException.class).hasMessageContaining("hyperparameters.batch_size: must be a multiple of rloo_k");
        assertThatThrownBy(() -> Method.RLOO.resolve(Map.of("reward_model", "rm", "normalize_advantage", "yes")))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("hyperparameters.normalize_advantage: must be true or false");

        PpoSettings ppo = (PpoSettings) Method.PPO.settings(Method.PPO.resolve(Map.of("reward_model", " rm/v0002 ",
                "kl_target", 6.0)));
        assertThat(ppo.rewardModel()).isEqualTo("rm/v0002");
        assertThat(ppo.klController()).isInstanceOf(io.prefloop.model.text.rl.AdaptiveKlController.class);
        RlooSettings rloo = (RlooSettings) Method.RLOO.settings(Method.RLOO.resolve(Map.of("reward_model", "rm",
                "normalize_advantage", false, "batch_size", 8, "rloo_k", 4)));
        assertThat(rloo.config().normalizeAdvantage()).isFalse();
        assertThat(rloo.prompts()).isEqualTo(2);
    }
}
