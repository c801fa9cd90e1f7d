package io.prefloop.model.labeling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SimulatedLabelerTest {

    @Test
    void withoutNoiseItPicksTheHigherScoreAndCallsEqualScoresATie() {
        SimulatedLabeler exact = new SimulatedLabeler(0, 1);
        assertThat(exact.judge(2, 1)).isEqualTo(Choice.A);
        assertThat(exact.judge(1, 2)).isEqualTo(Choice.B);
        assertThat(exact.judge(1, 1)).isEqualTo(Choice.TIE);
    }

    @Test
    void itFlipsAboutNoiseRateOfItsAnswersButNeverATie() {
        SimulatedLabeler noisy = new SimulatedLabeler(0.2, 3);
        int flips = 0;
        for (int i = 0; i < 10_000; i++) {
            flips += noisy.judge(2, 1) == Choice.B ? 1 : 0;
            assertThat(noisy.judge(1, 1)).isEqualTo(Choice.TIE);
        }
        assertThat(flips / 10_000.0).isBetween(0.18, 0.22);
        assertThatThrownBy(() -> new SimulatedLabeler(0.6, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
