package io.prefloop.model.hf;

import java.util.List;
import java.util.Map;

/**
 * The part of a HuggingFace {@code config.json} that {@link LlamaForCausalLM} reads, for the Llama
 * family of decoder-only models: Llama (and SmolLM, which is a Llama), Mistral and Qwen2.
 *
 * <p>Defaults are those of transformers' own config classes when a key is absent; the keys without
 * a sensible default ({@link #REQUIRED_KEYS}) must be present. What this implementation does not
 * compute (other activations, other RoPE scalings, other architectures) is refused, naming the
 * key and the value, rather than run with different numbers than HF's.
 *
 * @param modelType {@code model_type}: llama (also when absent), mistral or qwen2
 * @param headDim {@code head_dim} when present, else hidden_size / num_attention_heads
 * @param ropeScalingFactor 1 without RoPE scaling; the factor of {@code "linear"} scaling (positions
 *     are divided by it, i.e. the inverse frequencies are)
 * @param qkvBias whether q_proj, k_proj and v_proj have biases: Qwen2 always (its o_proj never),
 *     Llama when {@code attention_bias}, Mistral never
 * @param outputBias whether o_proj has a bias: Llama when {@code attention_bias}, never for Qwen2
 *     and Mistral
 * @param mlpBias {@code mlp_bias}: biases on gate_proj, up_proj and down_proj (Llama only)
 * @param slidingWindow Mistral's {@code sliding_window} (Qwen2's when {@code use_sliding_window}),
 *     0 when none; longer sequences are refused rather than computed without the window
 */
public record LlamaConfig(
        String modelType,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        double ropeScalingFactor,
        int maxPositionEmbeddings,
        int vocabSize,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean outputBias,
        boolean mlpBias,
        int slidingWindow) {

    /** Keys that config.json must carry. */
    public static final List<String> REQUIRED_KEYS = List.of(
            "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size");

    /** model_type values this implementation computes exactly. */
    public static final List<String> MODEL_TYPES = List.of("llama", "mistral", "qwen2");

    public LlamaConfig {
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("vocab_size", vocabSize);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be even for rotary embeddings");
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0) || !(ropeScalingFactor > 0)) {
            throw new IllegalArgumentException("rms_norm_eps, rope_theta and the rope_scaling factor must be positive");
        }
        if (slidingWindow < 0) {
            throw new IllegalArgumentException("sliding_window must not be negative");
        }
    }

    /** Query heads per key/value head (grouped-query attention; 1 for plain multi-head attention). */
    public int groups() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /**
     * Reads a parsed config.json.
     *
     * @throws IllegalArgumentException naming the key when a required key is missing, a value has
     *     the wrong type, or asks for something not implemented (model_type, hidden_act, rope_scaling type)
     */
    public static LlamaConfig fromMap(Map<String, ?> config) {
        String modelType = string(config, "model_type", "llama");
        if (!MODEL_TYPES.contains(modelType)) {
            throw new IllegalArgumentException("model_type '" + modelType + "' is not supported (supported: "
                    + String.join(", ", MODEL_TYPES) + ")");
        }
        String act = string(config, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("hidden_act '" + act + "' is not supported (only silu)");
        }
        for (String key : REQUIRED_KEYS) {
            if (config.get(key) == null) {
                throw new IllegalArgumentException("config.json lacks the required key '" + key + "'");
            }
        }
        int hidden = integer(config, "hidden_size", 0);
        int heads = integer(config, "num_attention_heads", 0);
        int kvHeads = integer(config, "num_key_value_heads", heads);
        int headDim = integer(config, "head_dim", 0);
        if (headDim == 0) {
            if (hidden % heads != 0) {
                throw new IllegalArgumentException("hidden_size " + hidden + " is not a multiple of num_attention_heads "
                        + heads + " and config.json has no head_dim");
            }
            headDim = hidden / heads;
        }

        // RoPE: transformers 4.x keeps rope_theta and rope_scaling at the top level; 5.x nests both in rope_parameters
        Map<String, ?> ropeParameters = map(config, "rope_parameters");
        double theta;
        Map<String, ?> scaling;
        if (ropeParameters != null) {
            theta = number(ropeParameters, "rope_theta", number(config, "rope_theta", 10000.0));
            scaling = ropeParameters;
        } else {
            theta = number(config, "rope_theta", 10000.0);
            scaling = map(config, "rope_scaling");
        }
        double factor = 1.0;
        if (scaling != null) {
            Object type = scaling.get("rope_type") != null ? scaling.get("rope_type") : scaling.get("type");
            String ropeType = type == null ? "default" : type.toString();
            switch (ropeType) {
                case "default" -> factor = 1.0;
                case "linear" -> {
                    if (scaling.get("factor") == null) {
                        throw new IllegalArgumentException("rope_scaling type 'linear' needs a 'factor'");
                    }
                    factor = number(scaling, "factor", 1.0);
                }
                default -> throw new IllegalArgumentException("rope_scaling type '" + ropeType
                        + "' is not supported (supported: none, 'default', 'linear')");
            }
        }

        // biases as the modelling code has them: Qwen2 hard-codes q/k/v with and o_proj without a bias,
        // Mistral has none, Llama follows attention_bias (all four) and mlp_bias
        boolean qwen2 = modelType.equals("qwen2");
        boolean llama = modelType.equals("llama");
        boolean attentionBias = llama && bool(config, "attention_bias", false);
        boolean qkvBias = qwen2 || attentionBias;
        boolean outputBias = attentionBias;
        boolean mlpBias = llama && bool(config, "mlp_bias", false);
        int window = 0;
        if (modelType.equals("mistral") || (qwen2 && bool(config, "use_sliding_window", false))) {
            window = integer(config, "sliding_window", 0);
        }
        return new LlamaConfig(modelType, hidden, integer(config, "intermediate_size", 0),
                integer(config, "num_hidden_layers", 0), heads, kvHeads, headDim,
                number(config, "rms_norm_eps", 1e-6), theta, factor,
                integer(config, "max_position_embeddings", 2048), integer(config, "vocab_size", 0),
                bool(config, "tie_word_embeddings", false), qkvBias, outputBias, mlpBias, window);
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    private static String string(Map<String, ?> config, String key, String fallback) {
        Object value = config.get(key);
        return value == null ? fallback : value.toString();
    }

    private static double number(Map<String, ?> config, String key, double fallback) {
        Object value = config.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("config key '" + key + "' must be a number, got " + value);
        }
        return n.doubleValue();
    }

    private static int integer(Map<String, ?> config, String key, int fallback) {
        Object value = config.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException("config key '" + key + "' must be an integer, got " + value);
        }
        return Math.toIntExact(n.longValue());
    }

    private static boolean bool(Map<String, ?> config, String key, boolean fallback) {
        Object value = config.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean b)) {
            throw new IllegalArgumentException("config key '" + key + "' must be true or false, got " + value);
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> map(Map<String, ?> config, String key) {
        Object value = config.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("config key '" + key + "' must be an object or null, got " + value);
        }
        return (Map<String, ?>) value;
    }
}
