package io.prefloop.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {

    // probabilities 0.5, 0.3, 0.2
    private static final float[] LOGITS = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};

    @Test
    void temperatureZeroIsGreedy() {
        for (int i = 0; i < 20; i++) {
            assertThat(TokenSampler.sample(LOGITS, 0, 1, new Random(i))).isZero();
        }
    }

    @Test
    void topPKeepsTheSmallestSetReachingTheMass() {
        Random random = new Random(1);
        int[] counts = new int[3];
        for (int i = 0; i < 2000; i++) {
            counts[TokenSampler.sample(LOGITS, 1, 0.7, random)]++;
        }
        // 0.5 < 0.7, so token 1 is kept (0.5 + 0.3 ≥ 0.7); token 2 never appears; renormalised 5:3
        assertThat(counts[2]).isZero();
        assertThat(counts[0] / 2000.0).isCloseTo(0.625, within(0.04));
        assertThat(TokenSampler.sample(LOGITS, 1, 0.4, random)).isZero();
    }

    @Test
    void temperatureOneSamplesTheModelDistribution() {
        Random random = new Random(2);
        int[] counts = new int[3];
        for (int i = 0; i < 4000; i++) {
            counts[TokenSampler.sample(LOGITS, 1, 1, random)]++;
        }
        assertThat(counts[0] / 4000.0).isCloseTo(0.5, within(0.03));
        assertThat(counts[1] / 4000.0).isCloseTo(0.3, within(0.03));
        assertThat(counts[2] / 4000.0).isCloseTo(0.2, within(0.03));
    }

    @Test
    void temperatureDividesTheLogits() {
        double[] p = TokenSampler.softmax(LOGITS, 2);
        // p_i ∝ sqrt(q_i)
        double z = Math.sqrt(0.5) + Math.sqrt(0.3) + Math.sqrt(0.2);
        assertThat(p[0]).isCloseTo(Math.sqrt(0.5) / z, within(1e-6));
        assertThat(p[2]).isCloseTo(Math.sqrt(0.2) / z, within(1e-6));
    }

    @Test
    void sameSeedSameTokens() {
        Random a = new Random(42);
        Random b = new Random(42);
        for (int i = 0; i < 50; i++) {
            assertThat(TokenSampler.sample(LOGITS, 1, 0.9, a)).isEqualTo(TokenSampler.sample(LOGITS, 1, 0.9, b));
        }
    }
}
