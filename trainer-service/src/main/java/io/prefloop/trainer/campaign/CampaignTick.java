package io.prefloop.trainer.campaign;

import io.prefloop.trainer.feedback.FeedbackPairs;
import io.prefloop.trainer.inference.InferenceCallException;
import io.prefloop.trainer.inference.InferenceClient;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.registry.Registry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One look at a campaign, by the one replica that claimed it. In order: a proposal left pending
 * (the trainer stopped while the inference-service worked) is sent again with the same id; the
 * open pairs are counted; the open pairs are scored again when the reward model that scores them
 * has a new current checkpoint; untouched pairs of superseded checkpoints are retired once enough
 * come from the served one; and one proposal is made while fewer than {@code pairs_per_checkpoint}
 * pairs come from the served checkpoint (when it is the current one: a promotion), or when the open
 * pairs fell below the target depth; last, the evaluation set is rendered from a newly served
 * checkpoint ({@link CampaignEvaluations}), and checkpoints a human gate waits on are rendered,
 * paired against the served one and decided once they have their votes ({@link HumanGate}).
 */
@Component
class CampaignTick {

    private static final Logger log = LoggerFactory.getLogger(CampaignTick.class);

    /** Proposals one tick makes at most (then the claim is released and the campaign looked at afresh). */
    private static final int MAX_PROPOSALS_PER_TICK = 50;

    private final Campaigns campaigns;
    private final CampaignRecords records;
    private final PromptChoice prompts;
    private final FeedbackPairs feedback;
    private final InferenceClient inference;
    private final Registry registry;
    private final CampaignEvaluations evaluations;
    private final HumanGate humanGate;

    CampaignTick(Campaigns campaigns, CampaignRecords records, PromptChoice prompts, FeedbackPairs feedback,
            InferenceClient inference, Registry registry, CampaignEvaluations evaluations, HumanGate humanGate) {
        this.evaluations = evaluations;
        this.humanGate = humanGate;
        this.campaigns = campaigns;
        this.records = records;
        this.prompts = prompts;
        this.feedback = feedback;
        this.inference = inference;
        this.registry = registry;
    }

    /** Looks at the campaign; what failed is kept as its {@code last_error} and tried again next time. */
    void run(UUID id) {
        try {
            CampaignView campaign = campaigns.settings(id);
            Optional<CampaignRecords.PendingProposal> pending = records.pending(id);
            if (pending.isPresent()) {
                send(campaign, pending.get());
                return;
            }
            String servedCurrent = lookAndPropose(campaign);
            if (servedCurrent != null) {
                evaluations.evaluate(campaign, servedCurrent);
                humanGate.decide(campaign, servedCurrent);
            }
        } catch (RuntimeException e) {
            log.warn("Campaign {}: {}", id, e.getMessage());
            records.error(id, e.getMessage());
        }
    }

    /** @return the checkpoint served when it is the model's current one (null when not, or when none is served) */
    private String lookAndPropose(CampaignView campaign) {
        String served = inference.served(campaign.model()).orElse(null);
        FeedbackPairs.Summary summary = feedback.summary(campaign.project());
        records.saw(campaign.id(), summary, served);
        if (served == null) {
            records.error(campaign.id(), "the inference-service serves no checkpoint of " + campaign.model() + " yet");
            return null;
        }
        rescore(campaign, summary);
        int fromServed = pairsFrom(summary, served);
        int open = summary.open() - retire(campaign, summary, served, fromServed);
        String current = checkpointId(registry.current(campaign.model()));
        String servedCurrent = served.equals(current) ? served : null;
        int cursor = records.cursor(campaign.id());
        for (int made = 0; made < MAX_PROPOSALS_PER_TICK; made++) {
            String reason = served.equals(current) && fromServed < campaign.pairsPerCheckpoint() ? "checkpoint"
                    : open < campaign.targetDepth() ? "depth" : null;
            if (reason == null) {
                return servedCurrent;
            }
            List<String> chosen = prompts.next(campaign.id(), campaign.promptOrder(), campaign.promptsPerProposal(),
                    cursor, served);
            if (chosen.isEmpty()) {
                records.error(campaign.id(), "the campaign has no training prompts to propose for");
                return servedCurrent;
            }
            long seed = campaign.seed() == null ? ThreadLocalRandom.current().nextLong(1L << 48)
                    : proposalSeed(campaign.seed(), campaign.proposalsMade() + made + 1);
            InferenceClient.Proposal proposal = send(campaign, records.recordPending(campaign.id(), reason, chosen, seed,
                    open));
            open += proposal.pairs();
            if (proposal.checkpoint().equals(served)) {
                fromServed += proposal.pairs();
            } else {
                return null; // the inference-service swapped checkpoints meanwhile: look again next time
            }
            cursor += campaign.promptOrder().equals("round_robin") ? chosen.size() : 0;
        }
        return servedCurrent;
    }

    /** The seed of a seeded campaign's n-th proposal: repeatable, and far enough from the others' candidates. */
    static long proposalSeed(long campaignSeed, int n) {
        return (campaignSeed * 1_000_003L + n * 1_000L) & ((1L << 48) - 1);
    }

    private InferenceClient.Proposal send(CampaignView campaign, CampaignRecords.PendingProposal p) {
        Map<String, Object> request = new LinkedHashMap<>(campaign.proposal());
        request.put("model", campaign.model());
        request.put("prompts", p.prompts());
        request.put("seed", p.seed());
        request.put("proposal", p.id());
        if (campaign.selection().rewardModel() != null) {
            request.put("score_with", campaign.selection().rewardModel());
        }
        InferenceClient.Proposal made;
        try {
            made = inference.propose(campaign.project(), request);
        } catch (InferenceCallException e) {
            if (e.refused()) {
                records.proposalFailed(p, e.getMessage()); // the same request would be refused again
            }
            throw e;
        }
        records.proposalDone(campaign.id(), p, made.checkpoint(), made.pairs(),
                campaign.promptOrder().equals("round_robin") ? p.prompts().size() : 0);
        log.info("Campaign {}: proposal {} ({}) from {}: {} pairs", campaign.id(), p.seq(), p.reason(),
                made.checkpoint(), made.pairs());
        return made;
    }

    /** Scores the open pairs again when the scoring reward model has a new current checkpoint. */
    private void rescore(CampaignView campaign, FeedbackPairs.Summary summary) {
        String rewardModel = campaign.selection().rewardModel();
        if (rewardModel == null) {
            return;
        }
        String current = checkpointId(registry.current(rewardModel));
        if (current.equals(campaign.scoredBy())) {
            return;
        }
        if (summary.open() > 0) {
            InferenceClient.Scores scores = inference.scoreOpenPairs(campaign.project(), rewardModel);
            log.info("Campaign {}: {} open pairs scored by {}", campaign.id(), scores.scored(), scores.checkpoint());
            current = scores.checkpoint();
        }
        records.scoredBy(campaign.id(), current);
    }

    /**
     * Retires the untouched open pairs of the model's older checkpoints once {@code pairs_per_checkpoint}
     * pairs come from the served one; how many were retired.
     */
    private int retire(CampaignView campaign, FeedbackPairs.Summary summary, String served, int fromServed) {
        if (!campaign.superseded().equals("retire")) {
            return 0;
        }
        List<String> older = new java.util.ArrayList<>();
        for (FeedbackPairs.CheckpointPairs c : summary.byCheckpoint()) {
            if (!served.equals(c.checkpoint()) && c.checkpoint() != null
                    && c.checkpoint().startsWith(campaign.model() + "/") && c.open() > 0) {
                older.add(c.checkpoint());
            }
        }
        if (older.isEmpty() || fromServed < campaign.pairsPerCheckpoint()) {
            return 0;
        }
        int retired = feedback.retire(campaign.project(), older);
        if (retired > 0) {
            log.info("Campaign {}: retired {} open pairs of {}", campaign.id(), retired, older);
        }
        return retired;
    }

    /** The project's pairs (open or judged; not retired) whose candidates came from a checkpoint. */
    private static int pairsFrom(FeedbackPairs.Summary summary, String checkpoint) {
        return summary.byCheckpoint().stream().filter(c -> checkpoint.equals(c.checkpoint()))
                .mapToInt(c -> c.open() + c.resolved()).sum();
    }

    private static String checkpointId(CheckpointView c) {
        return c.model() + "/" + c.version();
    }
}
