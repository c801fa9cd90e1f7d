package io.prefloop.trainer.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prefloop.common.web.ApiException;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.trainer.job.settings.DdpoSettings;
import io.prefloop.trainer.job.settings.DpokSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DDPO's and DPOK's typed settings: the reference implementations' constants, bounds, the reward's two forms. */
class PolicyGradientSettingsTest {

    @Test
    void ddpoDefaultsAreDdpoPytorchsConstantsAndTheDiffusionGuard() {
        DdpoSettings s = (DdpoSettings) Method.DDPO.settings(Method.DDPO.resolve(Map.of()));
        assertThat(s.clipRange()).isEqualTo(1e-4);
        assertThat(s.advClipMax()).isEqualTo(5);
        assertThat(s.statBufferSize()).isEqualTo(16);
        assertThat(s.statMinCount()).isEqualTo(16);
        assertThat(s.eta()).isEqualTo(1);
        assertThat(s.reward()).isEqualTo("oracle");
        assertThat(s.rewardSource().model()).isEmpty();
        assertThat(s.training().divergenceRatio()).isEqualTo(2);
        assertThat(s.sampler().eta()).isEqualTo(1);
        assertThat(s.config().trainBatch()).isEqualTo(s.training().batchSize());
        assertThat(s.training().learningRate()).as("the measured default").isEqualTo(1e-5);
        assertThat(s.samplesPerStep()).isEqualTo(64);
        assertThat(s.training().warmupSteps()).as("a step is a whole sampling round").isZero();
    }

    @Test
    void dpokClampsTheRatioLikeItsReferenceCode() {
        DpokSettings s = (DpokSettings) Method.DPOK.settings(Method.DPOK.resolve(Map.of("kl_weight", 0.5)));
        assertThat(s.ratioClip()).isEqualTo(1e-4);
        assertThat(s.klWeight()).isEqualTo(0.5);
        assertThat(s.valueBatch()).isEqualTo(256);
        assertThat(s.training().learningRate()).as("the measured default").isEqualTo(2e-5);
        assertThat(s.samplesPerStep()).isEqualTo(32);
    }

    @Test
    void aRewardModelCheckpointIsNamedAsNameSlashVersion() {
        DdpoSettings s = (DdpoSettings) Method.DDPO.settings(Method.DDPO.resolve(Map.of("reward", "shapes-reward/v0002")));
        assertThat(s.rewardSource().model()).contains(new CheckpointId("shapes-reward", "v0002"));
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> Method.DPOK.resolve(Map.of("kl_weight", Double.NaN))).isInstanceOf(ApiException.class)
                .hasMessageContaining("hyperparameters.kl_weight: must be finite");
        assertThatThrownBy(() -> Method.DDPO.resolve(Map.of("clip_range", Double.POSITIVE_INFINITY)))
                .hasMessageContaining("hyperparameters.clip_range: must be finite");
        assertThatThrownBy(() -> Method.DDPO.resolve(Map.of("timestep_fraction", 0)))
                .hasMessageContaining("hyperparameters.timestep_fraction: must be > 0 and <= 1");
        assertThatThrownBy(() -> Method.DDPO.resolve(Map.of("reward", "aesthetics")))
                .hasMessageContaining("hyperparameters.reward: must be \"oracle\" or a reward model checkpoint");
        assertThatThrownBy(() -> Method.DPOK.resolve(Map.of("reward", 3)))
                .hasMessageContaining("hyperparameters.reward: must be a string");
        assertThatThrownBy(() -> Method.DPOK.resolve(Map.of("eta", 0)))
                .as("η = 0 has no log-probabilities").hasMessageContaining("hyperparameters.eta: must be > 0");
    }
}
