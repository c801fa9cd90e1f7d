package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Diffusion-DPO (Wallace et al. 2023, eq. 14), winner and loser noised with the same t and the
 * same ε, the reference frozen:
 * <pre>
 *   model_diff = mse(ε^w, ε_θ(x^w_t)) − mse(ε^l, ε_θ(x^l_t))
 *   ref_diff   = mse(ε^w, ε_ref(x^w_t)) − mse(ε^l, ε_ref(x^l_t))
 *   logits     = ref_diff − model_diff          (> 0 when the policy favours the winner more)
 *   sigmoid: −log σ(β·logits)   hinge: relu(1 − β·logits)   IPO: (logits − 1/(2β))²
 * </pre>
 * mse is the per-sample mean over C·H·W.
 *
 * <p><b>β convention.</b> β here is diffusers' {@code beta_dpo} (train_diffusion_dpo.py:
 * {@code −logσ(beta_dpo·(ref_diff − model_diff))}). Wallace et al.'s code writes
 * {@code −0.5·β_W·(model_diff − ref_diff)} with β_W = 5000 for SD1.5, so β = β_W / 2
 * ({@link #fromWallaceBeta}): their 5000 is 2500 here, which is also diffusers' default. The
 * paper's eq. 14 has squared norms summed over pixels times T·ω(λ_t): with constant ω, β here =
 * β_paper·T·ω·C·H·W (the factor ½ in their code is part of that fold). The hinge and IPO forms
 * follow diffusers (its IPO branch reads the wrong argument there; here it uses β).
 *
 * <p>Metrics: loss; implicit_acc = fraction with β·logits &gt; 0 (exact ties count as misses, as in
 * both references); model_mse and ref_mse (mean over winners and losers); rewards/chosen and
 * rewards/rejected = −β·(mse_θ − mse_ref) of winners and losers, their margin (= β·logits) and
 * rewards/accuracies (= implicit_acc), named as TRL names its DPO metrics.
 */
public final class DiffusionDpoLoss {

    public enum Type {
        SIGMOID, HINGE, IPO
    }

    private final double beta;
    private final Type type;
    private final double sftWeight;

    public DiffusionDpoLoss(double beta, Type type) {
        this(beta, type, 0);
    }

    /**
     * @param sftWeight λ of an added denoising (SFT) term λ·mean(‖ε − ε_θ(x^w_t)‖²) on the preferred
     *     images. DPO may lower the likelihood of winners and losers alike (likelihood displacement,
     *     docs/diffusion.md); the term holds the winners' likelihood up, as RPO's NLL term does for
     *     language models (Pang et al. 2024). 0 = the plain loss of Wallace et al.
     */
    public DiffusionDpoLoss(double beta, Type type, double sftWeight) {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("beta must be > 0, got " + beta);
        }
        if (!(sftWeight >= 0) || Double.isInfinite(sftWeight)) {
            throw new IllegalArgumentException("sftWeight must be finite and >= 0, got " + sftWeight);
        }
        this.beta = beta;
        this.type = type;
        this.sftWeight = sftWeight;
    }

    /** The loss Wallace et al.'s train.py computes with its {@code --beta_dpo} = {@code wallaceBeta}. */
    public static DiffusionDpoLoss fromWallaceBeta(double wallaceBeta, Type type) {
        return new DiffusionDpoLoss(wallaceBeta / 2, type);
    }

    public double beta() {
        return beta;
    }

    /** All four arguments are per-sample MSEs, shape (N); the reference ones carry no gradient. */
    public LossResult compute(NDArray modelW, NDArray modelL, NDArray refW, NDArray refL) {
        NDArray modelDiff = modelW.sub(modelL);
        NDArray refDiff = refW.sub(refL);
        NDArray logits = refDiff.neg().add(modelDiff).neg(); // ref_diff − model_diff, graph through model
        NDArray scaled = logits.mul(beta);
        NDArray losses = switch (type) {
            case SIGMOID -> Activation.softPlus(scaled.neg()); // −log σ(z) = softplus(−z), stable
            case HINGE -> Activation.relu(scaled.neg().add(1));
            case IPO -> logits.sub(1 / (2 * beta)).square();
        };
        NDArray loss = losses.mean();
        if (sftWeight > 0) {
            loss = loss.add(modelW.mean().mul((float) sftWeight));
        }

        float[] sc = scaled.toFloatArray();
        float[] mw = modelW.toFloatArray();
        float[] ml = modelL.toFloatArray();
        float[] rw = refW.toFloatArray();
        float[] rl = refL.toFloatArray();
        int n = sc.length;
        double acc = 0, modelMse = 0, refMse = 0, chosen = 0, rejected = 0, margin = 0;
        for (int i = 0; i < n; i++) {
            acc += sc[i] > 0 ? 1 : 0;
            modelMse += (mw[i] + ml[i]) / 2.0;
            refMse += (rw[i] + rl[i]) / 2.0;
            chosen += -beta * ((double) mw[i] - rw[i]);
            rejected += -beta * ((double) ml[i] - rl[i]);
            margin += sc[i];
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", (double) loss.getFloat());
        metrics.put("implicit_acc", acc / n);
        metrics.put("model_mse", modelMse / n);
        metrics.put("ref_mse", refMse / n);
        metrics.put("rewards/chosen", chosen / n);
        metrics.put("rewards/rejected", rejected / n);
        metrics.put("rewards/margins", margin / n);
        metrics.put("rewards/accuracies", acc / n);
        return new LossResult(loss, metrics);
    }
}
