package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The conditional ε-prediction UNet (Ronneberger et al. 2015; the DDPM variant of Ho et al. 2020):
 * <pre>
 *   emb = timestep embedding(t) + prompt encoder(tokens or ∅)       conditions every ResBlock
 *   h = conv_in(x)
 *   down: per level, resBlocks ResBlocks, keep h as a skip, then a stride-2 conv (not after the last)
 *   mid:  ResBlock, self-attention (optional), ResBlock
 *   up:   per level (reversed), concat the skip, resBlocks ResBlocks, then nearest ×2 + 3×3 conv
 *   out = conv_out(SiLU(GroupNorm(h)))
 * </pre>
 * All sizes come from {@link UNetSpec}. It is one DJL block whose parameters carry PyTorch-style
 * dotted names; inputs are (x_t, t, tokens, useNull), see {@link EpsilonNetwork}.
 */
public final class UNet extends AbstractBlock implements EpsilonNetwork {

    private final UNetSpec spec;
    private final TimestepEmbedding timeEmbedding;
    private final PromptEncoder promptEncoder;
    private final Layers.Conv convIn;
    private final List<List<ResBlock>> down = new ArrayList<>();
    private final List<Layers.Conv> downsample = new ArrayList<>();
    private final ResBlock mid1;
    private final SelfAttention2d midAttention;
    private final ResBlock mid2;
    private final List<List<ResBlock>> up = new ArrayList<>();
    private final List<Layers.Conv> upsample = new ArrayList<>();
    private final Layers.GroupNorm normOut;
    private final Layers.Conv convOut;

    public UNet(UNetSpec spec) {
        this.spec = spec;
        ParameterSink sink = (name, type, shape, init) -> addParameter(Parameter.builder()
                .setName(name).setType(type).optShape(shape).optInitializer(init).build());
        List<Integer> w = spec.widths();
        int levels = w.size();
        int e = spec.embedDim();
        int g = spec.groups();
        timeEmbedding = new TimestepEmbedding(sink.scope("time_embedding"), e);
        promptEncoder = new PromptEncoder(sink.scope("prompt_encoder"), spec.vocabulary().size(), spec.maxPromptTokens(), e);
        convIn = new Layers.Conv(sink.scope("conv_in"), spec.channels(), w.get(0), 3, 1, 1);
        int ch = w.get(0);
        for (int i = 0; i < levels; i++) {
            List<ResBlock> blocks = new ArrayList<>();
            for (int r = 0; r < spec.resBlocks(); r++) {
                blocks.add(new ResBlock(sink.scope("down." + i + ".res." + r), ch, w.get(i), e, g));
                ch = w.get(i);
            }
            down.add(blocks);
            if (i < levels - 1) {
                downsample.add(new Layers.Conv(sink.scope("down." + i + ".downsample"), ch, ch, 3, 2, 1));
            }
        }
        mid1 = new ResBlock(sink.scope("mid.res.0"), ch, ch, e, g);
        midAttention = spec.attention() ? new SelfAttention2d(sink.scope("mid.attention"), ch, spec.attentionHeads(), g) : null;
        mid2 = new ResBlock(sink.scope("mid.res.1"), ch, ch, e, g);
        for (int i = levels - 1; i >= 0; i--) {
            List<ResBlock> blocks = new ArrayList<>();
            for (int r = 0; r < spec.resBlocks(); r++) {
                int in = r == 0 ? ch + w.get(i) : w.get(i);
                blocks.add(new ResBlock(sink.scope("up." + i + ".res." + r), in, w.get(i), e, g));
                ch = w.get(i);
            }
            up.add(blocks);
            if (i > 0) {
                upsample.add(new Layers.Conv(sink.scope("up." + i + ".upsample"), ch, ch, 3, 1, 1));
            }
        }
        normOut = new Layers.GroupNorm(sink.scope("norm_out"), g, ch);
        convOut = new Layers.Conv(sink.scope("conv_out"), ch, spec.channels(), 3, 1, 0.1);
    }

    /** A freshly initialized network (the engine's random seed decides the weights). */
    public static UNet create(UNetSpec spec, NDManager manager) {
        UNet net = new UNet(spec);
        net.initialize(manager, DataType.FLOAT32, net.inputShapes(1));
        return net;
    }

    public UNetSpec spec() {
        return spec;
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : getParameters().values()) {
            n += p.getArray().size();
        }
        return n;
    }

    Shape[] inputShapes(int batch) {
        return new Shape[] {
            new Shape(batch, spec.channels(), spec.imageSize(), spec.imageSize()),
            new Shape(batch), new Shape(batch, spec.maxPromptTokens()), new Shape(batch)
        };
    }

    @Override
    public NDArray predict(ParameterStore ps, NDArray xt, NDArray t, NDArray tokens, NDArray useNull, boolean training) {
        return forward(ps, new NDList(xt, t, tokens, useNull), training).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray emb = timeEmbedding.forward(ps, inputs.get(1), training)
                .add(promptEncoder.forward(ps, inputs.get(2), inputs.get(3), training));
        NDArray h = convIn.forward(ps, x, training);
        Deque<NDArray> skips = new ArrayDeque<>();
        for (int i = 0; i < down.size(); i++) {
            for (ResBlock b : down.get(i)) {
                h = b.forward(ps, h, emb, training);
            }
            skips.push(h);
            if (i < downsample.size()) {
                h = downsample.get(i).forward(ps, h, training);
            }
        }
        h = mid1.forward(ps, h, emb, training);
        if (midAttention != null) {
            h = midAttention.forward(ps, h, training);
        }
        h = mid2.forward(ps, h, emb, training);
        for (int j = 0; j < up.size(); j++) {
            h = NDArrays.concat(new NDList(h, skips.pop()), 1);
            for (ResBlock b : up.get(j)) {
                h = b.forward(ps, h, emb, training);
            }
            if (j < upsample.size()) {
                // nearest-neighbour ×2 (DJL 0.36 has no Conv2dTranspose on PyTorch), then a 3×3 conv
                h = upsample.get(j).forward(ps, h.repeat(2, 2).repeat(3, 2), training);
            }
        }
        return new NDList(convOut.forward(ps, Layers.silu(normOut.forward(ps, h, training)), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
