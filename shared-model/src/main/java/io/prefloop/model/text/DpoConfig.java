package io.prefloop.model.text;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DPO hyperparameters with TRL's names and defaults.
 *
 * @param beta β: how far the policy may move from the reference (TRL default 0.1). For IPO it is
 *     the paper's τ, the target margin being 1/(2τ).
 * @param lossType which loss
 * @param labelSmoothing ε, the assumed rate of flipped labels; used by SIGMOID (cDPO) and ROBUST
 */
public record DpoConfig(double beta, DpoLossType lossType, double labelSmoothing) {

    public DpoConfig {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite number > 0");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
            throw new IllegalArgumentException("label_smoothing must be in [0, 0.5)");
        }
        if (labelSmoothing > 0 && (lossType == DpoLossType.HINGE || lossType == DpoLossType.IPO)) {
            throw new IllegalArgumentException("label_smoothing applies to the sigmoid and robust losses only");
        }
    }

    public static DpoConfig sigmoid(double beta) {
        return new DpoConfig(beta, DpoLossType.SIGMOID, 0);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("beta", beta);
        map.put("loss_type", lossType.trlName());
        map.put("label_smoothing", labelSmoothing);
        return map;
    }
}
