package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;

/**
 * The DPO losses exactly as TRL's {@code DPOTrainer.dpo_loss} computes them. With
 * Δ = (log π(y_c) − log π(y_r)) − (log π_ref(y_c) − log π_ref(y_r)):
 * <ul>
 *   <li>sigmoid: −(1−ε)·log σ(βΔ) − ε·log σ(−βΔ)
 *   <li>hinge: relu(1 − βΔ)
 *   <li>IPO: (Δ − 1/(2β))², Δ from mean per-token log-probabilities
 *   <li>robust: [−(1−ε)·log σ(βΔ) + ε·log σ(−βΔ)] / (1 − 2ε)
 * </ul>
 * The batch loss is the mean over pairs, plus α·NLL(chosen) when TRL's {@code rpo_alpha} is set.
 * The reference log-probabilities are detached: the
 * reference never receives a gradient, whoever computed them. −log σ(z) is computed as
 * softplus(−z), which is exact and does not overflow.
 */
public final class DpoLoss {

    private final DpoConfig config;

    public DpoLoss(DpoConfig config) {
        this.config = config;
    }

    /** The scalar loss to back-propagate and TRL's metrics. */
    public record Result(NDArray loss, DpoMetrics metrics) {}

    /**
     * @param policyChosen (B) log π(y_c|x): summed, or per-token means when the loss type is
     *     {@link DpoLossType#lengthNormalised() length-normalised}
     * @param policyRejected (B) log π(y_r|x), likewise
     * @param referenceChosen (B) log π_ref(y_c|x), likewise
     * @param referenceRejected (B) log π_ref(y_r|x), likewise
     */
    public Result compute(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen, NDArray referenceRejected) {
        return compute(policyChosen, policyRejected, referenceChosen, referenceRejected, null);
    }

    /**
     * @param chosenNll mean negative log-likelihood per chosen completion token over the batch
     *     (TRL's {@code nll_loss}); required when rpo_alpha > 0, else ignored
     */
    public Result compute(NDArray policyChosen, NDArray policyRejected, NDArray referenceChosen, NDArray referenceRejected,
            NDArray chosenNll) {
        NDArray refChosen = referenceChosen.stopGradient();
        NDArray refRejected = referenceRejected.stopGradient();
        float beta = (float) config.beta();
        float epsilon = (float) config.labelSmoothing();

        NDArray delta = policyChosen.sub(policyRejected).sub(refChosen.sub(refRejected));
        NDArray scaled = delta.mul(beta);
        NDArray losses = switch (config.lossType()) {
            case SIGMOID -> negLogSigmoid(scaled).mul(1 - epsilon).add(negLogSigmoid(scaled.neg()).mul(epsilon));
            case HINGE -> Activation.relu(scaled.neg().add(1f));
            case IPO -> delta.sub(1f / (2f * beta)).square();
            case ROBUST -> negLogSigmoid(scaled).mul(1 - epsilon).sub(negLogSigmoid(scaled.neg()).mul(epsilon))
                    .div(1 - 2 * epsilon);
        };
        NDArray loss = losses.mean();
        double nll = Double.NaN;
        if (config.rpoAlpha() > 0) {
            if (chosenNll == null) {
                throw new IllegalArgumentException("rpo_alpha needs the chosen completions' NLL");
            }
            loss = loss.add(chosenNll.mul((float) config.rpoAlpha()));
            nll = chosenNll.getFloat();
        }

        NDArray chosenRewards = policyChosen.stopGradient().sub(refChosen).mul(beta);
        NDArray rejectedRewards = policyRejected.stopGradient().sub(refRejected).mul(beta);
        DpoMetrics metrics = new DpoMetrics(
                loss.getFloat(),
                chosenRewards.mean().getFloat(),
                rejectedRewards.mean().getFloat(),
                chosenRewards.gt(rejectedRewards).toType(DataType.FLOAT32, false).mean().getFloat(),
                chosenRewards.sub(rejectedRewards).mean().getFloat(),
                policyChosen.stopGradient().mean().getFloat(),
                policyRejected.stopGradient().mean().getFloat(),
                nll,
                refChosen.mean().getFloat());
        return new Result(loss, metrics);
    }

    private static NDArray negLogSigmoid(NDArray z) {
        return Activation.softPlus(z.neg());
    }
}
