package io.prefloop.inference.proposal;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * {@code POST /v1/projects/{project}/proposals}: sample 2 × {@code pairs_per_prompt} candidates per
 * prompt from the model's current checkpoint and register them, paired, in the feedback project.
 * Image models read the sampler fields, language models the completion fields.
 *
 * @param candidatesPerPrompt instead of pairs_per_prompt: this many candidates per prompt, every two
 *     of them paired (c·(c−1)/2 pairs, as InstructGPT's labelers ranked K outputs and every pair of
 *     the ranking was trained on): more comparisons per sample
 * @param seed candidate k (over all prompts, in order) of an image model gets seed + k; prompt j of
 *     a language model gets seed + j and its candidates are that seed's choices 0, 1, …
 * @param trajectories store each image's sampling trajectory for D3PO (DDIM with eta > 0 only)
 * @param proposal the proposal's id (default: a new one): the candidates and pairs are registered
 *     under idempotency keys made from it, so a request repeated with the same id and the same
 *     settings registers nothing twice
 * @param scoreWith a reward model: each pair gets P(a ≻ b) under its current checkpoint, which
 *     the feedback-service's uncertainty selection reads
 * @param checkpoint a version of the model to sample from instead of the current one (loaded for
 *     this request when it is not the served one)
 * @param candidatesOnly register the candidates and no pairs ({@code candidates_per_prompt} may
 *     then be 1): an evaluation set whose pairs are made across checkpoints
 */
public record ProposalRequest(
        @NotBlank @Size(max = 200) String model,
        @NotEmpty @Size(max = 64) List<@NotNull @Size(min = 1, max = 1000) String> prompts,
        @Min(1) @Max(16) Integer pairsPerPrompt,
        @Min(1) @Max(16) Integer candidatesPerPrompt,
        @Min(-1) @Max(9_007_199_254_740_991L) Long seed,
        @Min(1) @Max(1000) Integer steps,
        @Pattern(regexp = "ddim|ddpm", message = "must be ddim or ddpm") String sampler,
        @DecimalMin("0") @DecimalMax("50") Double cfgScale,
        @DecimalMin("0") @DecimalMax("20") Double rewardGuidanceScale,
        @DecimalMin("0") @DecimalMax("1") Double eta,
        Boolean trajectories,
        @Min(1) @Max(512) Integer maxTokens,
        @DecimalMin("0") @DecimalMax("10") Double temperature,
        @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double topP,
        java.util.UUID proposal,
        @Size(max = 200) String scoreWith,
        @Size(max = 200) String checkpoint,
        Boolean candidatesOnly) {

    /** Candidates one proposal may create. */
    public static final int MAX_CANDIDATES = 256;
}
