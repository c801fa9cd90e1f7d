package io.prefloop.model.text.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * PPO's clipped value loss as TRL (and OpenAI's baselines) compute it: ½·mean(max((V − R)²,
 * (clip(V, V_old − ε_v, V_old + ε_v) − R)²)) over completion tokens, R the GAE returns.
 */
public final class ClippedValueLoss {

    /**
     * @param loss the scalar to minimise (TRL multiplies it by vf_coef)
     * @param clipFraction share of tokens where the clipped error is the larger (TRL's vf_clipfrac)
     */
    public record Result(NDArray loss, double clipFraction) {}

    private ClippedValueLoss() {}

    /** @param clip ε_v (TRL's cliprange_value, default 0.2) */
    public static Result compute(NDArray values, NDArray oldValues, NDArray returns, NDArray mask, double clip) {
        NDArray clippedValues = values.maximum(oldValues.sub(clip)).minimum(oldValues.add(clip));
        NDArray unclipped = values.sub(returns).square();
        NDArray clipped = clippedValues.sub(returns).square();
        NDArray loss = ClippedSurrogate.maskedMean(unclipped.maximum(clipped), mask).mul(0.5f);
        double clipFraction = ClippedSurrogate.maskedMean(clipped.gt(unclipped).toType(DataType.FLOAT32, false), mask)
                .getFloat();
        return new Result(loss, clipFraction);
    }
}
