package io.prefloop.experiments;

import java.util.Arrays;

/** What the experiments report over seeds: the mean, the sample standard deviation and the worst run. */
public final class SeedStatistics {

    private SeedStatistics() {}

    public static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (n − 1); 0 for a single run. */
    public static double sd(double[] values) {
        double m = mean(values);
        return values.length < 2 ? 0
                : Math.sqrt(Arrays.stream(values).map(x -> (x - m) * (x - m)).sum() / (values.length - 1));
    }

    public static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }
}
