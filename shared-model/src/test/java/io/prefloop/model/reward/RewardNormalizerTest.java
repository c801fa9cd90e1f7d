package io.prefloop.model.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RewardNormalizerTest {

    @Test
    void fitsMeanAndPopulationStd() {
        RewardNormalizer n = RewardNormalizer.fit(new float[] {1, 2, 3, 4});
        assertThat(n.mean()).isCloseTo(2.5, within(1e-9));
        assertThat(n.std()).isCloseTo(Math.sqrt(1.25), within(1e-9));
        assertThat(n.normalize(4)).isCloseTo(1.3416407864998738, within(1e-9));
    }

    @Test
    void twoCheckpointsThatDifferByShiftAndScaleAgreeAfterNormalising() {
        float[] a = {0.1f, 0.5f, -0.3f};
        float[] b = {10.2f, 11.0f, 9.4f}; // 2·a + 10
        RewardNormalizer na = RewardNormalizer.fit(a);
        RewardNormalizer nb = RewardNormalizer.fit(b);
        for (int i = 0; i < a.length; i++) {
            assertThat(nb.normalize(b[i])).isCloseTo(na.normalize(a[i]), within(1e-5));
        }
    }

    @Test
    void roundTripsThroughManifestMetrics() {
        RewardNormalizer n = new RewardNormalizer(0.5, 2);
        assertThat(RewardNormalizer.fromMetrics(n.toMetrics())).isEqualTo(n);
        assertThat(RewardNormalizer.fromMetrics(Map.of())).isEqualTo(RewardNormalizer.identity());
    }
}
