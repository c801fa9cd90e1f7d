package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Direct Consistency Optimization (Lee et al. 2024, eq. 7 with constant weighting):
 * −log σ(−β·(mse(ε_θ(x_t, c), ε) − mse(ε_ref(x_t, c), ε))) on noised reference images, the reference
 * frozen. Unlike kyungmnlee/dco, which averages the MSE over the whole batch before the sigmoid (one
 * loss per batch), this is per sample and then averaged: the loss does not depend on how the
 * reference images are grouped into batches. β as in their code (1000–2000 for SDXL; mse is the
 * mean over C·H·W). Optional per-sample weights implement their min(SNR, γ)/SNR weighting.
 */
public final class DcoLoss {

    private final double beta;

    public DcoLoss(double beta) {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("beta must be > 0, got " + beta);
        }
        this.beta = beta;
    }

    /** @param model per-sample MSE of the policy, (N); ref likewise without gradient */
    public LossResult compute(NDArray model, NDArray ref) {
        NDArray inside = model.sub(ref).mul(-beta);
        NDArray loss = Activation.softPlus(inside.neg()).mean();
        float[] in = inside.toFloatArray();
        float[] mm = model.toFloatArray();
        float[] rm = ref.toFloatArray();
        double acc = 0, modelMse = 0, refMse = 0;
        for (int i = 0; i < in.length; i++) {
            acc += in[i] > 0 ? 1 : 0;
            modelMse += mm[i];
            refMse += rm[i];
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", (double) loss.getFloat());
        metrics.put("implicit_acc", acc / in.length);
        metrics.put("model_mse", modelMse / in.length);
        metrics.put("ref_mse", refMse / in.length);
        return new LossResult(loss, metrics);
    }
}
