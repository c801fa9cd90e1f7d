package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;

/**
 * Encodes prompt tokens into one conditioning vector: token plus position embeddings, mean over the
 * non-padding tokens, then Linear–SiLU–Linear. Where {@code useNull} is 1 the vector is replaced by
 * a learned null embedding ∅, which classifier-free guidance uses as the unconditional prompt
 * (Ho &amp; Salimans 2022, §3.2). A word never seen in pretraining keeps its random embedding, which
 * is what personalisation (DCO) then trains.
 */
final class PromptEncoder {

    /** Token id of padding; id 1 is the unknown word (see {@link PromptTokenizer}). */
    static final int PAD = 0;

    private final Parameter tokens;
    private final Parameter positions;
    private final Parameter nullEmbedding;
    private final Layers.Dense fc1;
    private final Layers.Dense fc2;

    PromptEncoder(ParameterSink sink, int vocabSize, int maxTokens, int dim) {
        this.tokens = sink.add("token_embedding.weight", Parameter.Type.WEIGHT, new Shape(vocabSize, dim),
                new NormalInitializer(1f));
        this.positions = sink.add("position_embedding", Parameter.Type.WEIGHT, new Shape(maxTokens, dim),
                new NormalInitializer(0.02f));
        this.nullEmbedding = sink.add("null_embedding", Parameter.Type.WEIGHT, new Shape(dim),
                new NormalInitializer(0.02f));
        this.fc1 = new Layers.Dense(sink.scope("fc1"), dim, dim, 1);
        this.fc2 = new Layers.Dense(sink.scope("fc2"), dim, dim, 1);
    }

    /**
     * @param ids (N, L) token ids, L ≤ maxTokens
     * @param useNull (N) 1 for ∅
     * @return (N, dim)
     */
    NDArray forward(ParameterStore ps, NDArray ids, NDArray useNull, boolean training) {
        long len = ids.getShape().get(1);
        NDArray table = Layers.value(ps, tokens, ids, training);
        NDArray emb = Embedding.embedding(ids.toType(DataType.INT64, false), table, SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray pos = Layers.local(Layers.value(ps, positions, ids, training).get("0:" + len), ids).expandDims(0);
        NDArray mask = ids.neq(PAD).toType(DataType.FLOAT32, false).expandDims(2); // (N, L, 1)
        NDArray pooled = emb.add(pos).mul(mask).sum(new int[] {1})
                .div(mask.sum(new int[] {1}).maximum(1f));
        NDArray cond = fc2.forward(ps, Layers.silu(fc1.forward(ps, pooled, training)), training);
        NDArray u = useNull.toType(DataType.FLOAT32, false).reshape(-1, 1);
        NDArray nul = Layers.local(Layers.value(ps, nullEmbedding, ids, training).reshape(1, -1), ids);
        return cond.mul(u.neg().add(1)).add(u.mul(nul));
    }
}
