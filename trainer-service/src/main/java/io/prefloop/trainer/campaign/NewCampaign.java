package io.prefloop.trainer.campaign;

import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.policy.NewPolicy;
import jakarta.validation.Valid;
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
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /v1/campaigns}.
 *
 * @param prompts what proposals are made for (training prompts)
 * @param heldOutPrompts never proposed for training pairs; evaluations use them
 * @param proposal the sampler (image models) or text settings of every proposal
 * @param promptsPerProposal how many prompts one proposal samples for (default: as many as fit one
 *     proposal, at most 64 prompts and 256 candidates)
 * @param promptOrder {@code round_robin} (default) or {@code need}: the prompts with the fewest
 *     proposals from the served checkpoint first
 * @param targetDepth keep at least this many open pairs for labelers
 * @param pairsPerCheckpoint when a newly promoted checkpoint is served, propose from it until this
 *     many of the project's pairs come from it (default: the target depth)
 * @param superseded {@code retire} (default): once {@code pairs_per_checkpoint} pairs come from the
 *     served checkpoint, the untouched open pairs of older checkpoints are retired; {@code keep} leaves them
 * @param policy the online training policy the campaign drives (optional: a campaign may only supply pairs)
 * @param selection how labelers are served pairs (default FIFO)
 * @param evaluation a fixed evaluation set rendered from every checkpoint served (none by default)
 * @param seed makes proposal and training seeds repeatable
 */
public record NewCampaign(
        @Size(max = 200) String name,
        @NotNull UUID project,
        @NotBlank @Size(max = 200) String model,
        @NotEmpty @Size(max = 10_000) List<@NotBlank @Size(max = 1000) String> prompts,
        @Size(max = 10_000) List<@NotBlank @Size(max = 1000) String> heldOutPrompts,
        @Valid ProposalSettings proposal,
        @Min(1) @Max(64) Integer promptsPerProposal,
        @Pattern(regexp = "round_robin|need", message = "must be round_robin or need") String promptOrder,
        @NotNull @Min(1) @Max(100_000) Integer targetDepth,
        @Pattern(regexp = "retire|keep", message = "must be retire or keep") String superseded,
        @Min(1) @Max(100_000) Integer pairsPerCheckpoint,
        @Valid PolicySpec policy,
        @Valid Selection selection,
        @Valid Evaluation evaluation,
        @Min(0) @Max(1L << 48) Long seed) {

    /**
     * @param prompts the evaluation prompts (default: the held-out prompts, else the first eight prompts)
     * @param seeds samples per prompt, the same seeds for every checkpoint (default 4)
     * @param sideBySide pair each checkpoint's rendering with the previous one's for labelers (default true)
     */
    public record Evaluation(@Size(max = 64) List<@NotBlank @Size(max = 1000) String> prompts,
            @Min(1) @Max(16) Integer seeds, Boolean sideBySide) {}

    /** The fields of {@code POST /v1/policies} a campaign does not already say (project, model, seed). */
    public record PolicySpec(@NotNull Method method, Map<String, Object> hyperparameters,
            @NotNull @Min(1) @Max(1_000_000) Integer everyN, @NotNull @Valid NewPolicy.Gate gate) {}

    /**
     * @param mode {@code fifo} or {@code uncertainty}: the open pair the reward model is least sure about
     * @param randomShare under uncertainty, the share of pairs served at random (unbiased evaluation); default 0.2
     * @param rewardModel the reward model whose current checkpoint scores the pairs (uncertainty only)
     */
    public record Selection(
            @Pattern(regexp = "fifo|uncertainty", message = "must be fifo or uncertainty") String mode,
            @DecimalMin("0") @DecimalMax("1") Double randomShare,
            @Size(max = 200) String rewardModel) {}

    /** The sampler and text fields of the inference-service's proposal request, with its bounds. */
    public record ProposalSettings(
            @Min(1) @Max(16) Integer pairsPerPrompt,
            @Min(2) @Max(16) Integer candidatesPerPrompt,
            @Min(1) @Max(1000) Integer steps,
            @Pattern(regexp = "ddim|ddpm", message = "must be ddim or ddpm") String sampler,
            @DecimalMin("0") @DecimalMax("50") Double cfgScale,
            @DecimalMin("0") @DecimalMax("20") Double rewardGuidanceScale,
            @DecimalMin("0") @DecimalMax("1") Double eta,
            Boolean trajectories,
            @Min(1) @Max(512) Integer maxTokens,
            @DecimalMin("0") @DecimalMax("10") Double temperature,
            @DecimalMin(value = "0", inclusive = false) @DecimalMax("1") Double topP) {

        /** Candidates sampled per prompt. */
        int candidatesPerPromptOrDefault() {
            return candidatesPerPrompt != null ? candidatesPerPrompt : 2 * (pairsPerPrompt == null ? 1 : pairsPerPrompt);
        }

        /** Pairs registered per prompt. */
        int pairsPerPromptOrDefault() {
            int c = candidatesPerPromptOrDefault();
            return candidatesPerPrompt != null ? c * (c - 1) / 2 : c / 2;
        }
    }
}
