package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;
import io.prefloop.model.diffusion.LossResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DPOK's per-step loss (Fan et al. 2023, §4 and Algorithm 1: the KL-regularised objective's gradient with a value baseline, as google-research/dpok
 * train_online_pg.py computes it):
 * <pre>
 *   ρ    = clamp(exp(log π_θ(x_{t−1}|x_t) − log π_old(x_{t−1}|x_t)), 1 − ε, 1 + ε)
 *   loss = mean(−(r − V(x_t, t, z))·ρ) + β_KL · mean(KL_t)
 * </pre>
 * The paper's α (reward weight, 100 in the code) is folded into β_KL: only their ratio matters for
 * the direction, and Adam undoes the overall scale. The clamp, not PPO's max, is the reference's:
 * outside [1 − ε, 1 + ε] the ratio term has no gradient. KL_t is {@link GaussianKl#perPixel}.
 */
public final class DpokLoss {

    private final double klWeight;
    private final double ratioClip;

    public DpokLoss(double klWeight, double ratioClip) {
        this.klWeight = klWeight;
        this.ratioClip = ratioClip;
    }

    /**
     * @param logProb (N) with gradient; {@code oldLogProb} (N) as sampled
     * @param advantages (N) reward minus the value baseline, without gradient
     * @param kl (N) per-step KL to the reference, with gradient
     */
    public LossResult compute(NDArray logProb, NDArray oldLogProb, NDArray advantages, NDArray kl) {
        NDArray ratio = logProb.sub(oldLogProb).exp();
        NDArray clamped = ratio.clip(1 - ratioClip, 1 + ratioClip);
        NDArray policy = advantages.neg().mul(clamped).mean();
        NDArray klMean = kl.mean();
        NDArray loss = policy.add(klMean.mul((float) klWeight));
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", (double) loss.getFloat());
        metrics.put("policy_loss", (double) policy.getFloat());
        metrics.put("kl", (double) klMean.getFloat());
        metrics.put("clipfrac", (double) ratio.sub(1).abs().gt(ratioClip).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                .mean().getFloat());
        metrics.put("ratio", (double) ratio.stopGradient().mean().getFloat());
        return new LossResult(loss, metrics);
    }
}
