package io.prefloop.inference.text;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /v1/completions}, as the OpenAI completions API names it.
 *
 * @param maxTokens default 16; capped by the model's context
 * @param temperature default 1; 0 = greedy
 * @param topP default 1
 * @param seed −1 (default) draws one; completion i uses stream i of the seed
 * @param n completions of the prompt (default 1)
 */
public record CompletionRequest(
        @NotBlank @Size(max = 200) String model,
        @NotNull @Size(max = 4000) String prompt,
        @Min(1) @Max(512) Integer maxTokens,
        @DecimalMin("0") @DecimalMax("10") Double temperature,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double topP,
        @Min(-1) @Max(9_007_199_254_740_991L) Long seed,
        @Min(1) @Max(16) Integer n) {}
