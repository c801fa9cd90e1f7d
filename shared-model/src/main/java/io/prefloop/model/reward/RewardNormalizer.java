package io.prefloop.model.reward;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes rewards comparable across checkpoints. A Bradley–Terry reward is only defined up to an
 * additive constant (and its scale drifts with training), so each checkpoint is fitted on the same
 * fixed reference set of items and reports (r − mean)/std: 0 is that set's average, 1 one standard
 * deviation above it. The two numbers go into the checkpoint's manifest metrics.
 */
public record RewardNormalizer(double mean, double std) {

    public static final String MEAN_KEY = "reward_mean";
    public static final String STD_KEY = "reward_std";

    public RewardNormalizer {
        if (!(std > 0) || Double.isNaN(mean)) {
            throw new IllegalArgumentException("std must be > 0 and mean a number");
        }
    }

    public static RewardNormalizer identity() {
        return new RewardNormalizer(0, 1);
    }

    /** Mean and population standard deviation of the rewards of the reference set. */
    public static RewardNormalizer fit(float[] rewards) {
        if (rewards.length < 2) {
            throw new IllegalArgumentException("need at least two rewards to fit a normaliser");
        }
        double mean = 0;
        for (float r : rewards) {
            mean += r;
        }
        mean /= rewards.length;
        double variance = 0;
        for (float r : rewards) {
            variance += (r - mean) * (r - mean);
        }
        double std = Math.sqrt(variance / rewards.length);
        return new RewardNormalizer(mean, Math.max(std, 1e-6));
    }

    public double normalize(double reward) {
        return (reward - mean) / std;
    }

    public Map<String, Object> toMetrics() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(MEAN_KEY, mean);
        map.put(STD_KEY, std);
        return map;
    }

    /** Reads the normaliser back from a manifest's metrics; identity when it has none. */
    public static RewardNormalizer fromMetrics(Map<String, Object> metrics) {
        if (metrics.get(MEAN_KEY) instanceof Number m && metrics.get(STD_KEY) instanceof Number s) {
            return new RewardNormalizer(m.doubleValue(), s.doubleValue());
        }
        return identity();
    }
}
