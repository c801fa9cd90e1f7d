package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * log N(x; mean, σ²·I) per sample, averaged over the non-batch axes rather than summed, as
 * ddpo-pytorch's {@code ddim_step_with_logprob} does (and D3PO, which copies it): per element
 * −(x − mean)²/(2σ²) − log σ − log √(2π). Averaging keeps the value independent of image size,
 * which is what their β and clip ranges were tuned for. Sum = mean × (number of elements).
 */
public final class GaussianLogProb {

    private GaussianLogProb() {}

    /** @return shape (N): one log-probability per sample */
    public static NDArray of(NDArray x, NDArray mean, double sigma) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("log-probability needs σ > 0 (η > 0), got " + sigma);
        }
        long n = x.getShape().get(0);
        NDArray sq = x.sub(mean).square().reshape(n, -1).mean(new int[] {1});
        return sq.div(-2 * sigma * sigma).sub(Math.log(sigma) + 0.5 * Math.log(2 * Math.PI));
    }
}
