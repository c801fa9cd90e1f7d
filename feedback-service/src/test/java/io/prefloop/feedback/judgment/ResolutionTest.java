package io.prefloop.feedback.judgment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResolutionTest {

    @Test
    void pluralityDecidesAndASharedTopIsASplit() {
        assertThat(Resolution.of(2, 1, 0, 0)).isEqualTo(new Resolution("a", 2.0 / 3));
        assertThat(Resolution.of(0, 3, 0, 0)).isEqualTo(new Resolution("b", 1.0));
        assertThat(Resolution.of(1, 1, 0, 0)).isEqualTo(new Resolution("split", 0.5));
        assertThat(Resolution.of(1, 0, 1, 2)).isEqualTo(new Resolution("both_bad", 0.5));
        assertThat(Resolution.of(0, 0, 1, 0).outcome()).isEqualTo("tie");
    }
}
