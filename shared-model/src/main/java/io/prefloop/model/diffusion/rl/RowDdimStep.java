package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.model.diffusion.DdimStep;
import io.prefloop.model.diffusion.NoiseSchedule;

/**
 * {@link DdimStep}'s Gaussian x_t → x_prev with each row at its own timestep, as ddpo-pytorch's
 * ddim_step_with_logprob takes a timestep per sample: the mean and σ per row, and the log-probability
 * of a stored next latent (mean over pixels, as {@link io.prefloop.model.diffusion.GaussianLogProb}).
 *
 * @param mean (N, C, H, W); {@code sigma} (N)
 */
public record RowDdimStep(NDArray mean, NDArray sigma) {

    public static RowDdimStep of(NoiseSchedule s, NDArray xt, NDArray eps, int[] t, int[] tPrev, double eta,
            boolean clipX0) {
        int n = t.length;
        float[] sa = new float[n], s1a = new float[n], sap = new float[n], dir = new float[n], sig = new float[n];
        for (int i = 0; i < n; i++) {
            double a = s.alphaBar(t[i]);
            double ap = s.alphaBar(tPrev[i]);
            double sigma = DdimStep.sigma(s, t[i], tPrev[i], eta);
            sa[i] = (float) Math.sqrt(a);
            s1a[i] = (float) Math.sqrt(1 - a);
            sap[i] = (float) Math.sqrt(ap);
            dir[i] = (float) Math.sqrt(Math.max(0, 1 - ap - sigma * sigma));
            sig[i] = (float) sigma;
        }
        NDManager m = xt.getManager();
        Shape col = new Shape(n, 1, 1, 1);
        NDArray x0 = xt.sub(eps.mul(m.create(s1a, col))).div(m.create(sa, col));
        if (clipX0) {
            x0 = x0.clip(-1, 1);
        }
        NDArray mean = x0.mul(m.create(sap, col)).add(eps.mul(m.create(dir, col)));
        return new RowDdimStep(mean, m.create(sig));
    }

    /** log N(next; mean, σ²·I) per row, averaged over pixels: shape (N). */
    public NDArray logProbOf(NDArray next) {
        long n = next.getShape().get(0);
        NDArray sq = next.sub(mean).square().reshape(n, -1).mean(new int[] {1});
        return sq.div(sigma.square().mul(-2)).sub(sigma.log().add(0.5 * Math.log(2 * Math.PI)));
    }
}
