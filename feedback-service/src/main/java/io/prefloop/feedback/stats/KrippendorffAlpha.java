package io.prefloop.feedback.stats;

import java.util.List;

/**
 * Krippendorff's alpha for nominal data (Krippendorff, "Computing Krippendorff's
 * Alpha-Reliability", 2011, section C): 1 − D_o/D_e, over units judged by at least two labelers.
 * Each unit is given as the number of votes per category. 1 is perfect agreement, 0 is chance.
 */
public final class KrippendorffAlpha {

    private KrippendorffAlpha() {}

    /** @return alpha, or NaN when there is nothing to measure (no unit with two votes, or one category only) */
    public static double nominal(List<int[]> units) {
        int categories = units.isEmpty() ? 0 : units.get(0).length;
        double[] totals = new double[categories];
        double n = 0;
        double observed = 0;
        for (int[] unit : units) {
            int m = 0;
            for (int count : unit) {
                m += count;
            }
            if (m < 2) {
                continue;
            }
            // disagreeing ordered pairs of values within the unit, weighted 1/(m−1)
            double disagreeing = 0;
            for (int c = 0; c < categories; c++) {
                disagreeing += (double) unit[c] * (m - unit[c]);
                totals[c] += unit[c];
            }
            observed += disagreeing / (m - 1);
            n += m;
        }
        if (n < 2) {
            return Double.NaN;
        }
        double expected = 0;
        for (double total : totals) {
            expected += total * (n - total);
        }
        if (expected == 0) {
            return Double.NaN;
        }
        return 1 - (n - 1) * observed / expected;
    }
}
