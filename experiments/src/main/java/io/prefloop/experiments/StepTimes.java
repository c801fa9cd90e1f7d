package io.prefloop.experiments;

import java.util.Arrays;
import java.util.Locale;

/** Step times in the form benchmarks/training-vs-torch reads from both the Java and PyTorch sides. */
public final class StepTimes {

    private StepTimes() {}

    /** Prints {@code RESULT <what> median_ms=… mean_ms=… min_ms=… max_ms=… n=…}. */
    public static void report(String what, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double mean = Arrays.stream(s).average().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "RESULT %s median_ms=%.1f mean_ms=%.1f min_ms=%.1f max_ms=%.1f n=%d%n", what,
                median, mean, s[0], s[n - 1], n);
    }
}
