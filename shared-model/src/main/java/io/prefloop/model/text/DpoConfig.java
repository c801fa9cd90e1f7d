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
 * @param rpoAlpha α of TRL's {@code rpo_alpha} (Pang et al. 2024, "Iterative reasoning preference
 *     optimization"): adds α·NLL of the chosen completions to the loss, which keeps the chosen
 *     replies likely while the margin grows; 0 turns it off (TRL's default, None)
 */
public record DpoConfig(double beta, DpoLossType lossType, double labelSmoothing, double rpoAlpha) {

    /** label_smoothing must stay below this: at ε = 0.5 the labels carry no information (robust divides by 1 − 2ε). */
    public static final double LABEL_SMOOTHING_LIMIT = 0.5;

    public DpoConfig {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite number > 0");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < LABEL_SMOOTHING_LIMIT)) {
            throw new IllegalArgumentException("label_smoothing must be in [0, 0.5)");
        }
        if (labelSmoothing > 0 && (lossType == DpoLossType.HINGE || lossType == DpoLossType.IPO)) {
            throw new IllegalArgumentException("label_smoothing applies to the sigmoid and robust losses only");
        }
        if (!(rpoAlpha >= 0) || Double.isInfinite(rpoAlpha)) {
            throw new IllegalArgumentException("rpo_alpha must be a finite number ≥ 0");
        }
    }

    public DpoConfig(double beta, DpoLossType lossType, double labelSmoothing) {
        this(beta, lossType, labelSmoothing, 0);
    }

    public static DpoConfig sigmoid(double beta) {
        return new DpoConfig(beta, DpoLossType.SIGMOID, 0);
    }

    public DpoConfig withRpoAlpha(double alpha) {
        return new DpoConfig(beta, lossType, labelSmoothing, alpha);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("beta", beta);
        map.put("loss_type", lossType.trlName());
        map.put("label_smoothing", labelSmoothing);
        if (rpoAlpha > 0) {
            map.put("rpo_alpha", rpoAlpha);
        }
        return map;
    }
}
