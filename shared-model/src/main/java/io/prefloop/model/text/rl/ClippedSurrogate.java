package io.prefloop.model.text.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/**
 * PPO's clipped surrogate objective (Schulman et al. 2017, "Proximal policy optimization
 * algorithms", eq. 7), as a loss to minimise: mean of max(−A·ρ, −A·clip(ρ, 1 − ε, 1 + ε)) with
 * ρ = exp(log π − log π_old). Per token for PPO, per sequence (summed log-probabilities) for RLOO, as
 * TRL computes each. Means are over the mask's positions only; TRL's PPOTrainer averages approxkl
 * and the ratio over padding too (where the ratio is 1), which dilutes them by the padding share.
 */
public final class ClippedSurrogate {

    /**
     * @param loss the scalar to minimise (carries the gradient)
     * @param clipFraction share of positions where the clipped term is the larger (TRL's pg_clipfrac)
     * @param approxKl ½·mean((log π − log π_old)²) (TRL's approxkl)
     * @param ratio mean of ρ
     */
    public record Result(NDArray loss, double clipFraction, double approxKl, double ratio) {}

    private ClippedSurrogate() {}

    /**
     * @param logProbs the current policy's log-probabilities, with gradient
     * @param oldLogProbs the rollout policy's
     * @param advantages same shape
     * @param mask 1 where a position counts, 0 elsewhere
     * @param clip ε (TRL's cliprange, default 0.2)
     */
    public static Result compute(NDArray logProbs, NDArray oldLogProbs, NDArray advantages, NDArray mask, double clip) {
        NDArray counted = mask.gt(0f);
        NDArray diff = NDArrays.where(counted, logProbs.sub(oldLogProbs), logProbs.zerosLike());
        NDArray ratio = diff.exp();
        NDArray unclipped = advantages.neg().mul(ratio);
        NDArray clipped = advantages.neg().mul(ratio.clip(1 - clip, 1 + clip));
        NDArray loss = maskedMean(unclipped.maximum(clipped), mask);
        double clipFraction = maskedMean(clipped.gt(unclipped).toType(DataType.FLOAT32, false), mask).getFloat();
        double approxKl = 0.5 * maskedMean(diff.square(), mask).getFloat();
        double meanRatio = maskedMean(ratio, mask).getFloat();
        return new Result(loss, clipFraction, approxKl, meanRatio);
    }

    static NDArray maskedMean(NDArray values, NDArray mask) {
        return values.mul(mask).sum().div(mask.sum().maximum(1f));
    }
}
