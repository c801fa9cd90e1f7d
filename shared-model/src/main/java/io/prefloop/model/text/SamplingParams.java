package io.prefloop.model.text;

/**
 * How to sample a completion, as the OpenAI completions API names it.
 *
 * @param maxTokens most new tokens per completion (EOS included)
 * @param temperature 0 for greedy decoding, else logits are divided by it
 * @param topP nucleus sampling (Holtzman et al. 2020): sample from the smallest set of tokens whose
 *     probabilities add up to at least topP; 1 keeps every token
 * @param seed the same seed, prompt and model give the same completion, whatever else is in the batch
 */
public record SamplingParams(int maxTokens, double temperature, double topP, long seed) {

    public SamplingParams {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1");
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number ≥ 0");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1]");
        }
    }
}
