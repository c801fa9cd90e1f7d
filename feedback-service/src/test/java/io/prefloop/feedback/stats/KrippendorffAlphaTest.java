package io.prefloop.feedback.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KrippendorffAlphaTest {

    /**
     * Krippendorff (2011), section C: 4 observers, 12 units, nominal values 1–5 (unit 12 has a
     * single value and is not pairable). Published alpha = 0.743.
     */
    @Test
    void alphaMatchesKrippendorffsWorkedExample() {
        int[][] values = {
                {1, 1, 1}, {2, 2, 3, 2}, {3, 3, 3, 3}, {3, 3, 3, 3}, {2, 2, 2, 2}, {1, 2, 3, 4},
                {4, 4, 4, 4}, {1, 1, 2, 1}, {2, 2, 2, 2}, {5, 5, 5}, {1, 1}, {3}};
        List<int[]> units = Arrays.stream(values).map(unit -> {
            int[] counts = new int[5];
            for (int v : unit) {
                counts[v - 1]++;
            }
            return counts;
        }).toList();
        assertThat(KrippendorffAlpha.nominal(units)).isCloseTo(0.743, within(0.0005));
    }

    @Test
    void alphaIsOneForPerfectAgreementAndNaNWithoutPairableUnits() {
        assertThat(KrippendorffAlpha.nominal(List.of(new int[] {2, 0}, new int[] {0, 3}))).isEqualTo(1.0);
        assertThat(KrippendorffAlpha.nominal(List.of(new int[] {1, 0}))).isNaN();
    }
}
