package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;

/**
 * Multi-head self-attention over the H·W positions of a feature map (Vaswani et al. 2017, eq. 1:
 * softmax(QKᵀ/√d)·V), pre-normalized with GroupNorm, residual, output projection zero-initialized;
 * as in the DDPM UNet at 16×16 (Ho et al. 2020, appendix B).
 */
final class SelfAttention2d {

    private final Layers.GroupNorm norm;
    private final Layers.Conv qkv;
    private final Layers.Conv proj;
    private final int heads;

    SelfAttention2d(ParameterSink sink, int channels, int heads, int groups) {
        if (channels % heads != 0) {
            throw new IllegalArgumentException(channels + " channels do not split into " + heads + " heads");
        }
        this.norm = new Layers.GroupNorm(sink.scope("norm"), groups, channels);
        this.qkv = new Layers.Conv(sink.scope("qkv"), channels, 3 * channels, 1, 1, 1);
        this.proj = new Layers.Conv(sink.scope("proj"), channels, channels, 1, 1, 0);
        this.heads = heads;
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        long n = x.getShape().get(0);
        long c = x.getShape().get(1);
        long hw = x.getShape().get(2) * x.getShape().get(3);
        long d = c / heads;
        // (N, 3C, H, W) → (3, N·heads, d, HW)
        NDArray qkvOut = qkv.forward(ps, norm.forward(ps, x, training), training)
                .reshape(n, 3, heads, d, hw).transpose(1, 0, 2, 3, 4).reshape(3, n * heads, d, hw);
        NDList parts = qkvOut.split(3);
        NDArray q = parts.get(0).squeeze(0).transpose(0, 2, 1); // (B, HW, d)
        NDArray k = parts.get(1).squeeze(0);                    // (B, d, HW)
        NDArray v = parts.get(2).squeeze(0).transpose(0, 2, 1); // (B, HW, d)
        NDArray attn = q.matMul(k).mul(1.0 / Math.sqrt(d)).softmax(2);
        NDArray out = attn.matMul(v).transpose(0, 2, 1).reshape(x.getShape());
        return x.add(proj.forward(ps, out, training));
    }
}
