package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * The DDPM residual block (Ho et al. 2020, appendix B; Wide-ResNet style): GroupNorm, SiLU, 3×3
 * conv, add a projection of the conditioning embedding per channel, GroupNorm, SiLU, 3×3 conv, plus
 * the input (through a 1×1 conv when the width changes). The second conv starts at zero so each
 * block starts as the identity, which makes early training stable.
 */
final class ResBlock {

    private final Layers.GroupNorm norm1;
    private final Layers.Conv conv1;
    private final Layers.Dense embProj;
    private final Layers.GroupNorm norm2;
    private final Layers.Conv conv2;
    private final Layers.Conv skip;

    ResBlock(ParameterSink sink, int in, int out, int embDim, int groups) {
        norm1 = new Layers.GroupNorm(sink.scope("norm1"), groups, in);
        conv1 = new Layers.Conv(sink.scope("conv1"), in, out, 3, 1, 1);
        embProj = new Layers.Dense(sink.scope("emb_proj"), embDim, out, 1);
        norm2 = new Layers.GroupNorm(sink.scope("norm2"), groups, out);
        conv2 = new Layers.Conv(sink.scope("conv2"), out, out, 3, 1, 0);
        skip = in == out ? null : new Layers.Conv(sink.scope("skip"), in, out, 1, 1, 1);
    }

    /** @param emb (N, embDim) conditioning: timestep plus prompt */
    NDArray forward(ParameterStore ps, NDArray x, NDArray emb, boolean training) {
        NDArray h = conv1.forward(ps, Layers.silu(norm1.forward(ps, x, training)), training);
        NDArray e = embProj.forward(ps, Layers.silu(emb), training);
        h = h.add(e.reshape(e.getShape().get(0), e.getShape().get(1), 1, 1));
        h = conv2.forward(ps, Layers.silu(norm2.forward(ps, h, training)), training);
        NDArray residual = skip == null ? x : skip.forward(ps, x, training);
        return residual.add(h);
    }
}
