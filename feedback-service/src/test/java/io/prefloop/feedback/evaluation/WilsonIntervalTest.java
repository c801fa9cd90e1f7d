package io.prefloop.feedback.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Against values worked out by hand from center ± half with z = 1.96:
 * center = (p + z²/2n) / (1 + z²/n), half = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²).
 */
class WilsonIntervalTest {

    @Test
    void sixtyOfAHundred() {
        // p = 0.6, 1 + z²/n = 1.038415, center = 0.619207 / 1.038415 = 0.596300,
        // half = 1.887492 · √(0.0024 + 0.00009604) = 0.094298
        WilsonInterval ci = WilsonInterval.of95(60, 100);
        assertThat(ci.low()).isCloseTo(0.5020, within(0.0001));
        assertThat(ci.high()).isCloseTo(0.6906, within(0.0001));
    }

    @Test
    void noneOfTenStillLeavesRoomAbove() {
        // p = 0: center = half = 0.192073 / 1.384146 = 0.138766
        WilsonInterval ci = WilsonInterval.of95(0, 10);
        assertThat(ci.low()).isCloseTo(0, within(1e-12));
        assertThat(ci.high()).isCloseTo(0.2775, within(0.0001));
    }

    @Test
    void tenOfTenIsTheMirrorImage() {
        WilsonInterval ci = WilsonInterval.of95(10, 10);
        assertThat(ci.low()).isCloseTo(0.7225, within(0.0001));
        assertThat(ci.high()).isCloseTo(1, within(1e-12)).isLessThanOrEqualTo(1);
    }

    @Test
    void halfSuccessesFromTiesAreAllowed() {
        // 2 wins and 1 tie of 4 votes: p = 2.5 / 4 = 0.625
        WilsonInterval ci = WilsonInterval.of95(2.5, 4);
        assertThat(ci.low()).isCloseTo(0.2194, within(0.0001));
        assertThat(ci.high()).isCloseTo(0.9081, within(0.0001));
    }

    @Test
    void refusesNoTrialsAndImpossibleCounts() {
        assertThatThrownBy(() -> WilsonInterval.of95(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WilsonInterval.of95(5, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
