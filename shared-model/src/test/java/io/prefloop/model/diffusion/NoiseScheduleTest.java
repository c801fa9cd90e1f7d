package io.prefloop.model.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NoiseScheduleTest {

    @Test
    void alphaBarIsTheProductOfOneMinusBeta() {
        // β = 0.1, 0.2, 0.3, 0.4 → ᾱ = 0.9, 0.72, 0.504, 0.3024 (by hand)
        NoiseSchedule s = NoiseSchedule.linear(4, 0.1, 0.4);
        assertThat(s.beta(1)).isCloseTo(0.2, within(1e-12));
        assertThat(s.alphaBar(0)).isCloseTo(0.9, within(1e-12));
        assertThat(s.alphaBar(1)).isCloseTo(0.72, within(1e-12));
        assertThat(s.alphaBar(2)).isCloseTo(0.504, within(1e-12));
        assertThat(s.alphaBar(3)).isCloseTo(0.3024, within(1e-12));
        assertThat(s.alphaBar(-1)).isEqualTo(1.0);
        assertThat(s.snr(1)).isCloseTo(0.72 / 0.28, within(1e-12));
    }

    @Test
    void ddpmLinearScheduleEndpoints() {
        NoiseSchedule s = NoiseSchedule.linear(1000, 1e-4, 0.02);
        assertThat(s.beta(0)).isEqualTo(1e-4);
        assertThat(s.beta(999)).isCloseTo(0.02, within(1e-15));
        // the familiar ᾱ_T of DDPM's schedule: about 4.04e-5
        assertThat(s.alphaBar(999)).isCloseTo(4.0358e-5, within(1e-8));
    }

    @Test
    void scaledLinearIsLinearInSqrtBeta() {
        NoiseSchedule s = NoiseSchedule.scaledLinear(3, 0.01, 0.09); // √β = 0.1, 0.2, 0.3
        assertThat(s.beta(0)).isCloseTo(0.01, within(1e-12));
        assertThat(s.beta(1)).isCloseTo(0.04, within(1e-12));
        assertThat(s.beta(2)).isCloseTo(0.09, within(1e-12));
    }

    @Test
    void cosineAlphaBarFollowsTheSquaredCosine() {
        int T = 1000;
        NoiseSchedule s = NoiseSchedule.cosine(T);
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        for (int t : new int[] {0, 10, 500, 900}) {
            double f = Math.pow(Math.cos(((t + 1.0) / T + 0.008) / 1.008 * Math.PI / 2), 2);
            assertThat(s.alphaBar(t)).isCloseTo(f / f0, within(1e-9));
        }
        assertThat(s.beta(T - 1)).isEqualTo(0.999); // clipped
    }

    @Test
    void samplingTimestepsAreLeadingSpaced() {
        NoiseSchedule s = NoiseSchedule.linear(1000, 1e-4, 0.02);
        int[] ts = s.samplingTimesteps(25);
        assertThat(ts).hasSize(25);
        assertThat(ts[0]).isEqualTo(960);
        assertThat(ts[1]).isEqualTo(920);
        assertThat(ts[24]).isEqualTo(0);
        assertThat(s.previousTimestep(960, 25)).isEqualTo(920);
        assertThat(s.previousTimestep(0, 25)).isEqualTo(-1);
    }

    @Test
    void kindParses() {
        assertThat(NoiseSchedule.Kind.parse("scaled-linear")).isEqualTo(NoiseSchedule.Kind.SCALED_LINEAR);
        assertThat(NoiseSchedule.of(NoiseSchedule.Kind.COSINE, 10).steps()).isEqualTo(10);
    }
}
