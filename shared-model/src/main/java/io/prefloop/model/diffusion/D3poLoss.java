package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-step D3PO loss (Yang et al. 2024, eq. 9, as yk7333/d3po train.py computes it) on one
 * denoising step k of a stored winner and loser trajectory:
 * <pre>
 *   r = clamp(exp(log π_θ(x_{k−1}|x_k) − log π_ref(x_{k−1}|x_k)), 1 − ε, 1 + ε)
 *   loss = −log σ(β·log r_w − β·log r_l)
 * </pre>
 * Log-probabilities are {@link GaussianLogProb} (pixel means). The clamp stops the gradient once a
 * ratio leaves [1 − ε, 1 + ε], as in the reference. Defaults there: β = 0.1, ε = 0.1.
 */
public final class D3poLoss {

    private final double beta;
    private final double clip;

    public D3poLoss(double beta, double clip) {
        this.beta = beta;
        this.clip = clip;
    }

    /** All arguments (N): log-probabilities of the stored steps; the reference ones without gradient. */
    public LossResult compute(NDArray logpW, NDArray refLogpW, NDArray logpL, NDArray refLogpL) {
        NDArray logRatioW = logpW.sub(refLogpW).clip(Math.log(1 - clip), Math.log(1 + clip));
        NDArray logRatioL = logpL.sub(refLogpL).clip(Math.log(1 - clip), Math.log(1 + clip));
        NDArray z = logRatioW.sub(logRatioL).mul(beta);
        NDArray loss = Activation.softPlus(z.neg()).mean();
        float[] zz = z.toFloatArray();
        double acc = 0, margin = 0;
        for (float v : zz) {
            acc += v > 0 ? 1 : 0;
            margin += v;
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", (double) loss.getFloat());
        metrics.put("implicit_acc", acc / zz.length);
        metrics.put("rewards/margins", margin / zz.length);
        return new LossResult(loss, metrics);
    }
}
