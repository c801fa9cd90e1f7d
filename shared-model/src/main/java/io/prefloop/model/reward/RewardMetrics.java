package io.prefloop.model.reward;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What TRL's RewardTrainer logs for a batch. Accuracy and margin are over decisive pairs; the
 * reward statistics over every reward in the counted pairs.
 *
 * @param pairs pairs that counted towards the loss (ties are not counted under {@link TiePolicy#DROP})
 */
public record RewardMetrics(double loss, double accuracy, double margin, double minReward, double meanReward,
        double maxReward, int pairs) {

    public Map<String, Double> toMap() {
        Map<String, Double> map = new LinkedHashMap<>();
        map.put("loss", loss);
        map.put("accuracy", accuracy);
        map.put("margin", margin);
        map.put("min_reward", minReward);
        map.put("mean_reward", meanReward);
        map.put("max_reward", maxReward);
        return map;
    }
}
