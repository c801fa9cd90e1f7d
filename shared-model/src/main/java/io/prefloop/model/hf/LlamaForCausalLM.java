package io.prefloop.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.prefloop.model.text.AttentionMask;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * HuggingFace's {@code LlamaForCausalLM} (and the Mistral / Qwen2 / SmolLM layouts of it) on DJL,
 * with HF's weight names and numerics: RMSNorm in float32, rotary embeddings in the "halves" layout
 * of {@code rotate_half}, grouped-query attention by repeating each key/value head for its
 * consecutive query heads ({@code repeat_kv}), softmax in float32, SwiGLU MLP, causal mask.
 *
 * <p>As a DJL {@link ai.djl.nn.Block}: inputs token ids (B, T) int64 and a padding mask (B, T)
 * (1 for real tokens, left or right padding; positions count real tokens only, as HF's generate
 * does), output logits (B, T, vocab). The weights are the block's parameters, named exactly as in
 * the checkpoint ({@code model.layers.0.self_attn.q_proj.weight}, ...) and read through the
 * {@link ParameterStore}, so gradients reach them under a {@code GradientCollector}. With
 * {@code tie_word_embeddings} the head reuses the {@code model.embed_tokens.weight} parameter.
 */
public final class LlamaForCausalLM extends AbstractBlock {

    private static final String PREFIX = "model.layers.";

    private final LlamaConfig config;
    private final Map<String, Parameter> weights = new LinkedHashMap<>();
    private final float[] inverseFrequencies;
    private LoraAdapters lora;
    private boolean adaptersEnabled = true;

    private LlamaForCausalLM(LlamaConfig config) {
        this.config = config;
        int half = config.headDim() / 2;
        inverseFrequencies = new float[half];
        for (int i = 0; i < half; i++) {
            // HF: 1.0 / (base ** (arange(0, dim, 2).float() / dim)), then / factor for "linear" scaling
            float exponent = (float) (2 * i) / (float) config.headDim();
            float frequency = 1.0f / (float) Math.pow(config.ropeTheta(), exponent);
            inverseFrequencies[i] = config.ropeScalingFactor() == 1.0 ? frequency : frequency / (float) config.ropeScalingFactor();
        }
    }

    /**
     * Builds the model from a weight lookup.
     *
     * @param weights the array stored under an HF name, or null when there is none (e.g. a tied
     *     {@code lm_head.weight}); any float type, cast to float32. The arrays are attached to
     *     {@code manager}, which owns the model's weights from then on.
     * @throws IllegalArgumentException naming the weight when one is missing or has the wrong shape
     */
    /**
     * A model directory as HuggingFace writes it (config.json and model.safetensors, or shards with
     * their index); weights the config would not read are refused, since config and weights would
     * then not belong together.
     */
    public static LlamaForCausalLM load(java.nio.file.Path dir, NDManager manager) {
        LlamaConfig config = LlamaConfig.fromMap(HfConfig.read(dir).asMap());
        try (HfWeights weights = HfWeights.open(dir)) {
            java.util.Set<String> unread = unreadWeights(config, weights.names());
            if (!unread.isEmpty()) {
                throw new IllegalArgumentException(dir + ": weights the config does not use: " + unread);
            }
            return load(config, name -> weights.contains(name) ? weights.get(manager, name) : null, manager);
        }
    }

    public static LlamaForCausalLM load(LlamaConfig config, Function<String, NDArray> weights, NDManager manager) {
        LlamaForCausalLM model = new LlamaForCausalLM(config);
        for (Map.Entry<String, Shape> entry : expectedShapes(config).entrySet()) {
            String name = entry.getKey();
            NDArray array = weights.apply(name);
            if (array == null) {
                throw new IllegalArgumentException("missing weight '" + name + "' (shape " + entry.getValue() + ")");
            }
            if (!array.getShape().equals(entry.getValue())) {
                throw new IllegalArgumentException("weight '" + name + "' has shape " + array.getShape()
                        + ", the config needs " + entry.getValue());
            }
            if (array.getDataType() != DataType.FLOAT32) {
                array = array.toType(DataType.FLOAT32, false);
            }
            array.attach(manager);
            Parameter parameter = Parameter.builder()
                    .setName(name)
                    .setType(name.endsWith(".bias") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT)
                    .build();
            parameter.setArray(array);
            model.weights.put(name, model.addParameter(parameter));
        }
        return model;
    }

    /**
     * The weights the model reads, in order, with their shapes: HF's names. {@code lm_head.weight}
     * is absent when the embeddings are tied.
     */
    public static Map<String, Shape> expectedShapes(LlamaConfig c) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        long hidden = c.hiddenSize();
        long q = (long) c.numAttentionHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        shapes.put("model.embed_tokens.weight", new Shape(c.vocabSize(), hidden));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = PREFIX + i + ".";
            shapes.put(p + "input_layernorm.weight", new Shape(hidden));
            linear(shapes, p + "self_attn.q_proj", q, hidden, c.qkvBias());
            linear(shapes, p + "self_attn.k_proj", kv, hidden, c.qkvBias());
            linear(shapes, p + "self_attn.v_proj", kv, hidden, c.qkvBias());
            linear(shapes, p + "self_attn.o_proj", hidden, q, c.outputBias());
            shapes.put(p + "post_attention_layernorm.weight", new Shape(hidden));
            linear(shapes, p + "mlp.gate_proj", c.intermediateSize(), hidden, c.mlpBias());
            linear(shapes, p + "mlp.up_proj", c.intermediateSize(), hidden, c.mlpBias());
            linear(shapes, p + "mlp.down_proj", hidden, c.intermediateSize(), c.mlpBias());
        }
        shapes.put("model.norm.weight", new Shape(hidden));
        if (!c.tieWordEmbeddings()) {
            shapes.put("lm_head.weight", new Shape(c.vocabSize(), hidden));
        }
        return shapes;
    }

    /**
     * Names in a checkpoint that this model would not read, e.g. biases the config does not ask
     * for, or layers beyond num_hidden_layers; a non-empty answer usually means the config and the
     * weights do not belong together. Ignores rotary {@code inv_freq} buffers that old checkpoints
     * carry and a {@code lm_head.weight} saved next to tied embeddings.
     */
    public static Set<String> unreadWeights(LlamaConfig config, Set<String> names) {
        Set<String> expected = expectedShapes(config).keySet();
        Set<String> unread = new TreeSet<>();
        for (String name : names) {
            boolean ignorable = name.endsWith("rotary_emb.inv_freq")
                    || (config.tieWordEmbeddings() && name.equals("lm_head.weight"));
            if (!expected.contains(name) && !ignorable) {
                unread.add(name);
            }
        }
        return unread;
    }

    private static void linear(Map<String, Shape> shapes, String name, long out, long in, boolean bias) {
        shapes.put(name + ".weight", new Shape(out, in));
        if (bias) {
            shapes.put(name + ".bias", new Shape(out));
        }
    }

    public LlamaConfig config() {
        return config;
    }

    /**
     * Adds LoRA adapters on the projections {@code loraConfig} targets, initialised as PEFT does
     * (A kaiming-uniform from {@code seed}, B zero, so the model computes what it did before), and
     * freezes the base weights: from now on only the adapters' A and B train. At most one adapter set.
     */
    public LoraAdapters addLora(LoraConfig loraConfig, NDManager manager, long seed) {
        requireNoLora();
        LoraAdapters adapters = LoraAdapters.create(this, loraConfig, manager, seed);
        attach(adapters);
        return adapters;
    }

    /** Puts adapters read by {@link LoraAdapters#load} on this model and freezes the base weights. */
    void attach(LoraAdapters adapters) {
        requireNoLora();
        for (Parameter weight : weights.values()) {
            weight.freeze(true);
            weight.getArray().setRequiresGradient(false);
        }
        lora = adapters;
        adaptersEnabled = true;
    }

    private void requireNoLora() {
        if (lora != null) {
            throw new IllegalStateException("the model already has LoRA adapters");
        }
    }

    /** The LoRA adapters, or null when none were added. */
    public LoraAdapters lora() {
        return lora;
    }

    /**
     * Turns the adapters off (the model then computes exactly its base weights' output, e.g. the
     * reference policy of DPO) or back on. Without adapters there is nothing to switch.
     */
    public void setAdaptersEnabled(boolean enabled) {
        this.adaptersEnabled = enabled;
    }

    public boolean adaptersEnabled() {
        return adaptersEnabled;
    }

    /** The model's weights by HF name (the head's is {@code model.embed_tokens.weight} when tied). */
    public Map<String, Parameter> weights() {
        return Collections.unmodifiableMap(weights);
    }

    /**
     * Logits (B, T, vocab) for rows of equal length, without padding, on {@code manager}.
     *
     * @param tokenIds B rows of T token ids
     */
    public NDArray logits(NDManager manager, int[][] tokenIds) {
        int batch = tokenIds.length;
        int time = tokenIds[0].length;
        long[] flat = new long[batch * time];
        for (int r = 0; r < batch; r++) {
            if (tokenIds[r].length != time) {
                throw new IllegalArgumentException("rows of different lengths: " + time + " and " + tokenIds[r].length);
            }
            for (int t = 0; t < time; t++) {
                flat[r * time + t] = tokenIds[r][t];
            }
        }
        try (NDManager step = manager.newSubManager()) {
            NDArray tokens = step.create(flat, new Shape(batch, time));
            NDArray mask = step.ones(new Shape(batch, time), DataType.INT64);
            NDArray logits = forward(new ParameterStore(step, false), new NDList(tokens, mask), false).head();
            logits.attach(manager);
            return logits;
        }
    }

    /**
     * Greedy decoding of {@code newTokens} tokens after {@code prompt} (argmax of the logits,
     * the first index on ties as torch.argmax), with a key/value cache: the prompt is fed once,
     * then one token per step. Does not stop at an end-of-sequence token.
     */
    public int[] greedy(NDManager manager, int[] prompt, int newTokens) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        int[] out = new int[newTokens];
        if (newTokens == 0) {
            return out;
        }
        ParameterStore store = new ParameterStore(manager, false);
        try (NDManager generation = manager.newSubManager();
                LlamaKvCache cache = new LlamaKvCache(generation, config.numHiddenLayers())) {
            float[] logits;
            try (NDManager step = generation.newSubManager()) {
                long[] ids = new long[prompt.length];
                for (int t = 0; t < prompt.length; t++) {
                    ids[t] = prompt[t];
                }
                NDArray mask = step.ones(new Shape(1, prompt.length), DataType.INT64);
                logits = nextTokenLogits(store, step.create(ids, new Shape(1, prompt.length)),
                        AttentionMask.positions(mask), AttentionMask.causalBias(mask), cache).toFloatArray();
            }
            for (int s = 0; s < newTokens; s++) {
                out[s] = argmax(logits);
                if (s == newTokens - 1) {
                    break;
                }
                long position = prompt.length + s;
                try (NDManager step = generation.newSubManager()) {
                    NDArray token = step.create(new long[] {out[s]}, new Shape(1, 1));
                    NDArray positions = step.create(new long[] {position}, new Shape(1, 1));
                    NDArray bias = step.zeros(new Shape(1, 1, 1, position + 1), DataType.FLOAT32);
                    logits = nextTokenLogits(store, token, positions, bias, cache).toFloatArray();
                }
            }
        }
        return out;
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Next-token logits (B, vocab) after feeding t new tokens on top of the cached ones.
     *
     * @param positions (B, t) int64 positions of the new tokens
     * @param bias (B, 1, t, cached + t) additive attention bias: 0 where allowed, very negative elsewhere
     */
    public NDArray nextTokenLogits(ParameterStore store, NDArray tokens, NDArray positions, NDArray bias, LlamaKvCache cache) {
        NDArray hidden = hidden(store, tokens, positions, bias, cache, false);
        long time = hidden.getShape().get(1);
        NDArray last = hidden.get(new NDIndex(":, {}, :", time - 1));
        return Linear.linear(last, value(store, headName(), last, false)).head();
    }

    /** Inputs: token ids (B, T) int64 and padding mask (B, T). Output: logits (B, T, vocab). */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = inputs.get(0);
        NDArray mask = inputs.size() > 1 ? inputs.get(1) : tokens.onesLike();
        NDArray hidden = hidden(store, tokens, AttentionMask.positions(mask), AttentionMask.causalBias(mask), null, training);
        return new NDList(Linear.linear(hidden, value(store, headName(), hidden, training)).head());
    }

    private String headName() {
        return config.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
    }

    /** Final hidden states (B, t, hidden) after model.norm. */
    private NDArray hidden(ParameterStore store, NDArray tokens, NDArray positions, NDArray bias, LlamaKvCache cache, boolean training) {
        long total = bias.getShape().get(3);
        if (total > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence of " + total + " tokens exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        if (config.slidingWindow() > 0 && total > config.slidingWindow()) {
            throw new IllegalArgumentException("sequence of " + total + " tokens exceeds sliding_window "
                    + config.slidingWindow() + ", which is not implemented");
        }
        NDArray embedding = value(store, "model.embed_tokens.weight", tokens, training);
        NDArray x = Embedding.embedding(tokens, embedding, SparseFormat.DENSE).head();
        x.attach(tokens.getManager()); // not the weights' long-lived manager
        NDArray[] rotary = rotary(positions);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = PREFIX + i + ".";
            NDArray normed = rmsNorm(x, value(store, p + "input_layernorm.weight", x, training));
            x = x.add(attention(store, p + "self_attn.", normed, rotary, bias, cache, i, training));
            normed = rmsNorm(x, value(store, p + "post_attention_layernorm.weight", x, training));
            x = x.add(mlp(store, p + "mlp.", normed, training));
        }
        return rmsNorm(x, value(store, "model.norm.weight", x, training));
    }

    /** LlamaRMSNorm: x / sqrt(mean(x²) + eps) in float32, cast back to x's type, times the weight. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        DataType type = x.getDataType();
        NDArray h = x.toType(DataType.FLOAT32, false);
        NDArray variance = h.square().mean(new int[] {-1}, true);
        NDArray normed = h.mul(variance.add((float) config.rmsNormEps()).sqrt().pow(-1f));
        return normed.toType(type, false).mul(weight); // = weight * normed, elementwise
    }

    /** cos and sin (B, 1, t, head_dim) of the positions: freqs = position · inv_freq, emb = cat(freqs, freqs). */
    private NDArray[] rotary(NDArray positions) {
        long batch = positions.getShape().get(0);
        long time = positions.getShape().get(1);
        NDArray inverse = positions.getManager().create(inverseFrequencies).reshape(1, 1, inverseFrequencies.length);
        NDArray freqs = positions.toType(DataType.FLOAT32, false).reshape(batch, time, 1).mul(inverse);
        NDArray emb = freqs.concat(freqs, 2).reshape(batch, 1, time, config.headDim());
        return new NDArray[] {emb.cos(), emb.sin()};
    }

    /** HF's rotate_half: (x1, x2) = halves of the last axis, returns cat(−x2, x1). */
    private NDArray rotateHalf(NDArray x) {
        int half = config.headDim() / 2;
        NDArray x1 = x.get(new NDIndex("..., :{}", half));
        NDArray x2 = x.get(new NDIndex("..., {}:", half));
        return x2.neg().concat(x1, -1);
    }

    private NDArray applyRotary(NDArray x, NDArray[] rotary) {
        return x.mul(rotary[0]).add(rotateHalf(x).mul(rotary[1]));
    }

    private NDArray attention(ParameterStore store, String p, NDArray x, NDArray[] rotary, NDArray bias,
            LlamaKvCache cache, int layer, boolean training) {
        long batch = x.getShape().get(0);
        long time = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        NDArray q = project(store, p + "q_proj", x, config.qkvBias(), training)
                .reshape(batch, time, heads, headDim).transpose(0, 2, 1, 3);
        NDArray k = project(store, p + "k_proj", x, config.qkvBias(), training)
                .reshape(batch, time, kvHeads, headDim).transpose(0, 2, 1, 3);
        NDArray v = project(store, p + "v_proj", x, config.qkvBias(), training)
                .reshape(batch, time, kvHeads, headDim).transpose(0, 2, 1, 3);
        q = applyRotary(q, rotary);
        k = applyRotary(k, rotary);
        if (cache != null) {
            NDArray[] all = cache.append(layer, k, v);
            k = all[0];
            v = all[1];
        }
        k = repeatKv(k);
        v = repeatKv(v);
        float scaling = (float) Math.pow(headDim, -0.5);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scaling).add(bias);
        NDArray attended = scores.softmax(-1).matMul(v)
                .transpose(0, 2, 1, 3)
                .reshape(batch, time, (long) heads * headDim);
        return project(store, p + "o_proj", attended, config.outputBias(), training);
    }

    /** HF's repeat_kv: (B, kv, S, d) → (B, kv·groups, S, d), key/value head j serving query heads j·groups … (j+1)·groups − 1. */
    private NDArray repeatKv(NDArray x) {
        int groups = config.groups();
        if (groups == 1) {
            return x;
        }
        Shape s = x.getShape();
        return x.expandDims(2).broadcast(new Shape(s.get(0), s.get(1), groups, s.get(2), s.get(3)))
                .reshape(s.get(0), s.get(1) * groups, s.get(2), s.get(3));
    }

    /** LlamaMLP: down_proj(silu(gate_proj(x)) · up_proj(x)). */
    private NDArray mlp(ParameterStore store, String p, NDArray x, boolean training) {
        NDArray gate = project(store, p + "gate_proj", x, config.mlpBias(), training);
        NDArray up = project(store, p + "up_proj", x, config.mlpBias(), training);
        NDArray activated = gate.mul(Activation.sigmoid(gate)).mul(up);
        return project(store, p + "down_proj", activated, config.mlpBias(), training);
    }

    private NDArray project(ParameterStore store, String name, NDArray x, boolean bias, boolean training) {
        NDArray weight = value(store, name + ".weight", x, training);
        NDArray out = bias
                ? Linear.linear(x, weight, value(store, name + ".bias", x, training)).head()
                : Linear.linear(x, weight).head();
        if (lora != null && adaptersEnabled && lora.targets(name)) {
            out = out.add(lora.delta(store, name, x, training));
        }
        return out;
    }

    private NDArray value(ParameterStore store, String name, NDArray like, boolean training) {
        return store.getValue(weights.get(name), like.getDevice(), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape tokens = inputShapes[0];
        return new Shape[] {new Shape(tokens.get(0), tokens.get(1), config.vocabSize())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // the weights come from a checkpoint (load); there is nothing to initialise
    }
}
