package io.prefloop.inference.image;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /v1/images/generations}, with the A1111 names. Absent fields take the defaults below.
 *
 * @param n images, seeds {@code seed}, {@code seed + 1}, … (default 1)
 * @param steps sampler steps (default 25)
 * @param sampler {@code ddim} (default) or {@code ddpm}
 * @param cfgScale classifier-free guidance w (default 3; 1 = no guidance, 0 = unconditional)
 * @param rewardGuidanceScale DCO reward guidance w_rg (default 0 = plain CFG with the current checkpoint)
 * @param eta DDIM stochasticity (default 0); DDPM ignores it
 * @param seed −1 (default) draws one
 * @param responseFormat {@code b64_json} (default) or {@code png} (n = 1 only: the body is the image)
 */
public record ImageGenerationRequest(
        @NotBlank @Size(max = 200) String model,
        @NotNull @Size(max = ImageGenerationRequest.MAX_PROMPT) String prompt,
        @Size(max = ImageGenerationRequest.MAX_PROMPT) String negativePrompt,
        @Min(1) @Max(ImageGenerationRequest.MAX_N) Integer n,
        @Min(1) @Max(ImageGenerationRequest.MAX_STEPS) Integer steps,
        @Pattern(regexp = "ddim|ddpm", message = "must be ddim or ddpm") String sampler,
        @DecimalMin("0") @DecimalMax("50") Double cfgScale,
        @DecimalMin("0") @DecimalMax("20") Double rewardGuidanceScale,
        @DecimalMin("0") @DecimalMax("1") Double eta,
        @Min(-1) @Max(ImageGenerationRequest.MAX_SEED) Long seed,
        @Pattern(regexp = "b64_json|png", message = "must be b64_json or png") String responseFormat) {

    public static final int MAX_PROMPT = 1000;
    public static final int MAX_N = 16;
    public static final int MAX_STEPS = 1000;
    /** 2^53 − 1: every seed survives a JavaScript client. */
    public static final long MAX_SEED = 9_007_199_254_740_991L;
}
