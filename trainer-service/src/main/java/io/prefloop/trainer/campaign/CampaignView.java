package io.prefloop.trainer.campaign;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A campaign and where it stands.
 *
 * @param openPairs the project's open pairs when last looked at
 * @param proposalCheckpoint the checkpoint the last proposal sampled from
 * @param scoredBy the reward-model checkpoint that last scored the open pairs
 * @param checkpoints per checkpoint: proposals made from it and the fate of its pairs
 * @param lastError what went wrong in the last tick that failed (cleared by the next that succeeds)
 */
public record CampaignView(UUID id, String name, UUID project, String model, UUID policyId, String state,
        List<String> prompts, List<String> heldOutPrompts, Map<String, Object> proposal, int promptsPerProposal,
        String promptOrder, int targetDepth, String superseded, int pairsPerCheckpoint, Selection selection,
        EvaluationSet evaluation,
        String scoredBy, Long seed, Integer openPairs, String proposalCheckpoint, int proposalsMade,
        List<CheckpointCounts> checkpoints, String lastError, Instant lastErrorAt, Instant createdAt) {

    public record Selection(String mode, double randomShare, String rewardModel) {}

    /** The fixed evaluation set: prompts × seeds, rendered with one seed so candidate i of every rendering shares prompt and seed. */
    public record EvaluationSet(List<String> prompts, int seeds, long seed, boolean sideBySide) {}

    /** @param open pairs labelers can still be served (as the feedback-service last said) */
    public record CheckpointCounts(String checkpoint, int proposals, int proposedPairs, int open, int resolved,
            int retired) {}
}
