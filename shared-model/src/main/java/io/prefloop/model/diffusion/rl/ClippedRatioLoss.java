package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.prefloop.model.diffusion.LossResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DDPO-IS's clipped importance-sampling objective (Black et al. 2023, §4.3, the importance-sampled gradient with PPO's clipping,
 * Schulman et al. 2017 eq. 7), as ddpo-pytorch's train.py computes it per denoising step:
 * <pre>
 *   ρ    = exp(log π_θ(x_{t−1}|x_t) − log π_old(x_{t−1}|x_t))
 *   loss = mean(max(−A·ρ, −A·clamp(ρ, 1 − ε, 1 + ε)))
 * </pre>
 * with A already clipped to [−adv_clip_max, adv_clip_max]. Metrics as the reference logs them:
 * {@code clipfrac} = share of rows with |ρ − 1| &gt; ε, {@code approx_kl} = ½·mean((log ρ)²).
 */
public final class ClippedRatioLoss {

    private final double clipRange;

    public ClippedRatioLoss(double clipRange) {
        this.clipRange = clipRange;
    }

    /** @param logProb (N) with gradient; {@code oldLogProb} (N) as sampled; {@code advantages} (N) */
    public LossResult compute(NDArray logProb, NDArray oldLogProb, NDArray advantages) {
        NDArray logRatio = logProb.sub(oldLogProb);
        NDArray ratio = logRatio.exp();
        NDArray unclipped = advantages.neg().mul(ratio);
        NDArray clipped = advantages.neg().mul(ratio.clip(1 - clipRange, 1 + clipRange));
        NDArray loss = NDArrays.maximum(unclipped, clipped).mean();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", (double) loss.getFloat());
        metrics.put("clipfrac", (double) ratio.sub(1).abs().gt(clipRange).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                .mean().getFloat());
        metrics.put("approx_kl", 0.5 * logRatio.stopGradient().square().mean().getFloat());
        metrics.put("ratio", (double) ratio.stopGradient().mean().getFloat());
        return new LossResult(loss, metrics);
    }
}
