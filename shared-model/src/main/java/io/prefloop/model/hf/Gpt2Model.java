package io.prefloop.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HuggingFace's {@code GPT2LMHeadModel} (transformers' modeling_gpt2.py) on DJL, read from a model
 * directory with HF's weight names. Plain NDArray operations on the weights returned by
 * {@link #parameters()}, so a {@code GradientCollector} can record them once those arrays are
 * marked to require gradients; this class itself only runs inference.
 *
 * <p>Per layer: {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}; attention and MLP use
 * {@code Conv1D} weights stored [in, out] ({@code y = x·W + b}); scores are divided by √head_dim,
 * masked causally with float32's lowest value, as HF does; the head is {@code ln_f} then
 * {@code lm_head}, tied to {@code wte} unless {@code tie_word_embeddings} is false.
 * No padding mask yet: every row of a batch is a full sequence starting at position 0.
 */
public final class Gpt2Model implements AutoCloseable {

    private static final String[] LAYER_TENSORS = {"ln_1.weight", "ln_1.bias", "attn.c_attn.weight",
            "attn.c_attn.bias", "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias",
            "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"};

    private final Gpt2Config config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final NDArray lmHead;

    private Gpt2Model(Gpt2Config config, NDManager manager, Map<String, NDArray> parameters, NDArray lmHead) {
        this.config = config;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(parameters);
        this.lmHead = lmHead;
    }

    /** Reads {@code config.json} and the weights ({@link HfWeights#open}) of a model directory. */
    public static Gpt2Model load(Path directory, NDManager manager) {
        try (HfWeights weights = HfWeights.open(directory)) {
            return load(HfConfig.read(directory), weights, manager);
        }
    }

    /**
     * Builds the model from a config and its weights, on a sub-manager of {@code manager} (closed
     * by {@link #close()}). Names are HF's, with the {@code transformer.} prefix of a saved
     * {@code GPT2LMHeadModel} or without it (a saved {@code GPT2Model}, like the original
     * {@code gpt2} checkpoint); other tensors (e.g. the old {@code attn.bias} mask buffers) are ignored.
     *
     * @throws IllegalArgumentException naming a missing tensor or one of the wrong shape
     */
    public static Gpt2Model load(HfConfig hfConfig, HfWeights weights, NDManager manager) {
        Gpt2Config c = Gpt2Config.from(hfConfig);
        String prefix = weights.contains("transformer.wte.weight") || !weights.contains("wte.weight") ? "transformer." : "";
        long d = c.nEmbd();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("wte.weight", new long[] {c.vocabSize(), d});
        shapes.put("wpe.weight", new long[] {c.nPositions(), d});
        for (int i = 0; i < c.nLayer(); i++) {
            long[][] layer = {{d}, {d}, {d, 3 * d}, {3 * d}, {d, d}, {d}, {d}, {d}, {d, c.nInner()}, {c.nInner()},
                    {c.nInner(), d}, {d}};
            for (int j = 0; j < LAYER_TENSORS.length; j++) {
                shapes.put("h." + i + "." + LAYER_TENSORS[j], layer[j]);
            }
        }
        shapes.put("ln_f.weight", new long[] {d});
        shapes.put("ln_f.bias", new long[] {d});

        NDManager own = manager.newSubManager();
        try {
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                String name = prefix + e.getKey();
                parameters.put("transformer." + e.getKey(), read(weights, own, name, e.getValue()));
            }
            NDArray lmHead;
            if (c.tieWordEmbeddings()) {
                lmHead = parameters.get("transformer.wte.weight");
            } else {
                if (!weights.contains("lm_head.weight")) {
                    throw new IllegalArgumentException("tie_word_embeddings is false but there is no lm_head.weight");
                }
                lmHead = read(weights, own, "lm_head.weight", new long[] {c.vocabSize(), d});
                parameters.put("lm_head.weight", lmHead);
            }
            return new Gpt2Model(c, own, parameters, lmHead);
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
    }

    private static NDArray read(HfWeights weights, NDManager manager, String name, long[] shape) {
        if (!weights.contains(name)) {
            throw new IllegalArgumentException("GPT-2 weights lack tensor " + name);
        }
        if (!Arrays.equals(weights.shape(name), shape)) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(weights.shape(name))
                    + ", the config needs " + Arrays.toString(shape));
        }
        return weights.get(manager, name);
    }

    public Gpt2Config config() {
        return config;
    }

    /**
     * The weights by HF name, always with the {@code transformer.} prefix; {@code lm_head.weight}
     * only when it is not tied to {@code transformer.wte.weight}.
     */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /**
     * Logits [batch, seq, vocab] for equally long rows of token ids, on {@code manager}.
     *
     * @throws IllegalArgumentException for ragged rows, ids outside the vocabulary, or more tokens
     *     than {@code n_positions}
     */
    public NDArray logits(NDManager manager, int[][] tokenIds) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray logits = forward(scope, tokens(scope, tokenIds), 0, null);
            logits.attach(manager);
            return logits;
        }
    }

    /**
     * Greedy continuation: the {@code newTokens} ids after {@code prompt}, each the argmax (the
     * lowest id among equal maxima) of the last position's logits. Uses a key/value cache, so each
     * step runs only the new token. It does not stop at an end-of-text token.
     */
    public int[] generateGreedy(NDManager manager, int[] prompt, int newTokens) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        if (prompt.length + newTokens - 1 > config.nPositions()) {
            throw new IllegalArgumentException(prompt.length + " + " + newTokens + " tokens exceed n_positions "
                    + config.nPositions());
        }
        int[] out = new int[newTokens];
        try (NDManager scope = manager.newSubManager()) {
            List<NDArray[]> cache = new ArrayList<>();
            for (int i = 0; i < config.nLayer(); i++) {
                cache.add(new NDArray[2]);
            }
            int[] input = prompt;
            int past = 0;
            for (int step = 0; step < newTokens; step++) {
                try (NDManager stepScope = scope.newSubManager()) {
                    NDArray logits = forward(stepScope, tokens(stepScope, new int[][] {input}), past, cache);
                    out[step] = (int) logits.get(new NDIndex("0, -1")).argMax().getLong();
                    for (NDArray[] kv : cache) {
                        kv[0].attach(scope);
                        kv[1].attach(scope);
                    }
                }
                past += input.length;
                input = new int[] {out[step]};
            }
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }

    private NDArray tokens(NDManager scope, int[][] tokenIds) {
        int rows = tokenIds.length;
        int time = rows == 0 ? 0 : tokenIds[0].length;
        if (rows == 0 || time == 0) {
            throw new IllegalArgumentException("no tokens");
        }
        long[] flat = new long[rows * time];
        for (int r = 0; r < rows; r++) {
            if (tokenIds[r].length != time) {
                throw new IllegalArgumentException("rows of different lengths (" + time + " and " + tokenIds[r].length
                        + "); padding is not supported yet");
            }
            for (int t = 0; t < time; t++) {
                int id = tokenIds[r][t];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + config.vocabSize());
                }
                flat[r * time + t] = id;
            }
        }
        return scope.create(flat, new Shape(rows, time));
    }

    /**
     * Logits (B, t, V) of t new tokens at positions past .. past + t - 1. With a cache, each
     * layer's keys and values (B, H, past, hd) are extended by the new ones (the old arrays closed).
     */
    private NDArray forward(NDManager scope, NDArray tokens, int past, List<NDArray[]> cache) {
        long batch = tokens.getShape().get(0);
        long time = tokens.getShape().get(1);
        if (past + time > config.nPositions()) {
            throw new IllegalArgumentException("position " + (past + time - 1) + " beyond n_positions " + config.nPositions());
        }
        int heads = config.nHead();
        int headDim = config.headDim();
        long d = config.nEmbd();
        NDArray positions = scope.arange(past, past + time, 1, DataType.INT64).reshape(1, time);
        NDArray x = local(scope, Embedding.embedding(tokens, p("wte.weight"), SparseFormat.DENSE).head())
                .add(local(scope, Embedding.embedding(positions, p("wpe.weight"), SparseFormat.DENSE).head()));
        // query i (at past + i) may attend to key j iff j <= past + i: HF's tril buffer, sliced
        NDArray queries = scope.arange(past, past + time, 1, DataType.INT64).reshape(time, 1);
        NDArray keys = scope.arange(0, past + time, 1, DataType.INT64).reshape(1, past + time);
        NDArray allowed = keys.lte(queries);

        for (int i = 0; i < config.nLayer(); i++) {
            String h = "h." + i + ".";
            NDArray qkv = conv1d(scope, layerNorm(scope, x, h + "ln_1"), h + "attn.c_attn")
                    .reshape(batch, time, 3, heads, headDim)
                    .transpose(2, 0, 3, 1, 4); // (3, B, H, t, hd)
            NDArray q = qkv.get(0);
            NDArray k = qkv.get(1);
            NDArray v = qkv.get(2);
            if (cache != null) {
                NDArray[] kv = cache.get(i);
                if (kv[0] != null) {
                    NDArray oldK = kv[0];
                    NDArray oldV = kv[1];
                    k = oldK.concat(k, 2);
                    v = oldV.concat(v, 2);
                    k.attach(scope);
                    v.attach(scope);
                    oldK.close();
                    oldV.close();
                }
                kv[0] = k;
                kv[1] = v;
            }
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
            if (config.scaleAttnWeights()) {
                scores = scores.div((float) Math.sqrt(headDim));
            }
            if (config.scaleAttnByInverseLayerIdx()) {
                scores = scores.div((float) (i + 1));
            }
            // DJL's where does not broadcast: mask and fill value at the scores' full shape
            scores = NDArrays.where(allowed.broadcast(scores.getShape()), scores,
                    scope.full(scores.getShape(), -Float.MAX_VALUE)); // torch.finfo(float32).min
            NDArray attended = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, time, d);
            x = conv1d(scope, attended, h + "attn.c_proj").add(x);
            NDArray inner = conv1d(scope, layerNorm(scope, x, h + "ln_2"), h + "mlp.c_fc");
            x = x.add(conv1d(scope, activation(inner), h + "mlp.c_proj"));
        }
        NDArray hidden = layerNorm(scope, x, "ln_f");
        return hidden.matMul(local(scope, lmHead.transpose()));
    }

    private NDArray p(String name) {
        return parameters.get("transformer." + name);
    }

    /** HF's Conv1D: x · W + b with W stored [in, out]. */
    private NDArray conv1d(NDManager scope, NDArray x, String name) {
        return x.matMul(p(name + ".weight")).add(p(name + ".bias"));
    }

    private NDArray layerNorm(NDManager scope, NDArray x, String name) {
        return local(scope, LayerNorm.layerNorm(x, new Shape(config.nEmbd()), p(name + ".weight"), p(name + ".bias"),
                (float) config.layerNormEpsilon()).head());
    }

    private NDArray activation(NDArray x) {
        return switch (config.activationFunction()) {
            // NewGELUActivation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            case "gelu_new", "gelu_pytorch_tanh" -> x.mul(0.5f).mul(
                    x.add(x.pow(3f).mul(0.044715f)).mul((float) Math.sqrt(2.0 / Math.PI)).tanh().add(1f));
            case "gelu" -> Activation.gelu(x);
            case "relu" -> Activation.relu(x);
            default -> throw new IllegalStateException(config.activationFunction());
        };
    }

    /** Arrays computed with a weight as the left operand land on the weights' manager: move them. */
    private static NDArray local(NDManager scope, NDArray a) {
        a.attach(scope);
        return a;
    }
}
