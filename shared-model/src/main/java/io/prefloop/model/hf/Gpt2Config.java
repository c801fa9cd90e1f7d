package io.prefloop.model.hf;

import java.util.Set;

/**
 * The parts of a GPT-2 {@code config.json} that {@link Gpt2Model} uses, with HuggingFace's
 * defaults ({@code GPT2Config}): {@code n_inner} null means 4 × {@code n_embd},
 * {@code activation_function} {@code gelu_new}, {@code layer_norm_epsilon} 1e-5,
 * {@code scale_attn_weights} true, {@code tie_word_embeddings} true.
 */
public record Gpt2Config(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead, int nInner,
        double layerNormEpsilon, String activationFunction, boolean scaleAttnWeights,
        boolean scaleAttnByInverseLayerIdx, boolean tieWordEmbeddings) {

    public static final String MODEL_TYPE = "gpt2";
    public static final String ARCHITECTURE = "GPT2LMHeadModel";

    /** Activations {@link Gpt2Model} computes; gelu_pytorch_tanh is the same formula as gelu_new. */
    public static final Set<String> ACTIVATIONS = Set.of("gelu_new", "gelu_pytorch_tanh", "gelu", "relu");

    public Gpt2Config {
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        if (!ACTIVATIONS.contains(activationFunction)) {
            throw new IllegalArgumentException("activation_function " + activationFunction + " is not supported; known: "
                    + ACTIVATIONS);
        }
    }

    /** Reads a config whose {@code model_type} is {@code gpt2}; fails naming the key otherwise. */
    public static Gpt2Config from(HfConfig config) {
        if (!MODEL_TYPE.equals(config.modelType())) {
            throw new IllegalArgumentException(config + ": model_type " + config.modelType() + " is not " + MODEL_TYPE);
        }
        if (config.getBoolean("add_cross_attention", false)) {
            throw new IllegalArgumentException(config + ": add_cross_attention is not supported");
        }
        int nEmbd = config.getInt("n_embd");
        return new Gpt2Config(
                config.getInt("vocab_size"),
                config.getInt("n_positions"),
                nEmbd,
                config.getInt("n_layer"),
                config.getInt("n_head"),
                config.getInt("n_inner", 4 * nEmbd),
                config.getDouble("layer_norm_epsilon", 1e-5),
                config.getString("activation_function", "gelu_new"),
                config.getBoolean("scale_attn_weights", true),
                config.getBoolean("scale_attn_by_inverse_layer_idx", false),
                config.getBoolean("tie_word_embeddings", true));
    }

    public int headDim() {
        return nEmbd / nHead;
    }
}
