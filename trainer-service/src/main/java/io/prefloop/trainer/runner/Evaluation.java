package io.prefloop.trainer.runner;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Metrics over a whole evaluation set, computed in chunks and averaged weighted by chunk size. */
final class Evaluation {

    private Evaluation() {}

    static <T> Map<String, Double> averaged(List<T> items, int chunk, Function<List<T>, Map<String, Double>> evaluate) {
        Map<String, Double> sums = new LinkedHashMap<>();
        for (int start = 0; start < items.size(); start += chunk) {
            List<T> part = items.subList(start, Math.min(items.size(), start + chunk));
            evaluate.apply(part).forEach((k, v) -> sums.merge(k, v * part.size(), Double::sum));
        }
        sums.replaceAll((k, v) -> v / items.size());
        return sums;
    }

    /** A metric for a job's messages: three decimals. */
    static String round(double v) {
        return String.format(java.util.Locale.ROOT, "%.3f", v);
    }
}
