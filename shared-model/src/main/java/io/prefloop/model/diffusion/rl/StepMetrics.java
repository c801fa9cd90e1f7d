package io.prefloop.model.diffusion.rl;

import java.util.LinkedHashMap;
import java.util.Map;

/** Means of per-pass metrics over a training round. */
final class StepMetrics {

    private final Map<String, Double> sums = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    void add(Map<String, Double> metrics) {
        metrics.forEach(this::add);
    }

    void add(String key, double value) {
        sums.merge(key, value, Double::sum);
        counts.merge(key, 1, Integer::sum);
    }

    Map<String, Double> means() {
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((k, v) -> out.put(k, v / counts.get(k)));
        return out;
    }
}
