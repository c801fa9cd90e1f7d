package io.prefloop.trainer.campaign;

import io.prefloop.common.auth.Caller;
import io.prefloop.common.web.ApiException;
import io.prefloop.trainer.feedback.FeedbackPairs;
import io.prefloop.trainer.feedback.FeedbackUnavailableException;
import io.prefloop.trainer.policy.Gate;
import io.prefloop.trainer.policy.NewPolicy;
import io.prefloop.trainer.policy.Policies;
import io.prefloop.trainer.policy.PolicyView;
import io.prefloop.trainer.registry.Registry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Creating, reading and steering campaigns; what a campaign does on its own is in {@link CampaignTick}. */
@Service
public class Campaigns {

    /** One proposal may sample at most this many candidates (the inference-service's limit). */
    static final int MAX_CANDIDATES_PER_PROPOSAL = 256;

    static final int MAX_PROMPTS_PER_PROPOSAL = 64;

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final TypeReference<List<FeedbackPairs.CheckpointPairs>> SUMMARY = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final Registry registry;
    private final Policies policies;
    private final FeedbackPairs feedback;

    Campaigns(JdbcClient jdbc, JsonMapper json, Registry registry, Policies policies, FeedbackPairs feedback) {
        this.jdbc = jdbc;
        this.json = json;
        this.registry = registry;
        this.policies = policies;
        this.feedback = feedback;
    }

    @Transactional
    public CampaignView create(NewCampaign r, Caller caller) {
        List<String> heldOut = r.heldOutPrompts() == null ? List.of() : r.heldOutPrompts();
        requireDistinct(r.prompts(), heldOut);
        NewCampaign.ProposalSettings proposal = r.proposal() == null
                ? new NewCampaign.ProposalSettings(null, null, null, null, null, null, null, null, null, null, null)
                : r.proposal();
        if (proposal.pairsPerPrompt() != null && proposal.candidatesPerPrompt() != null) {
            throw ApiException.invalid("proposal.candidates_per_prompt", "give pairs_per_prompt or candidates_per_prompt, not both");
        }
        int perPrompt = proposal.candidatesPerPromptOrDefault();
        int fits = Math.min(MAX_PROMPTS_PER_PROPOSAL, MAX_CANDIDATES_PER_PROPOSAL / perPrompt);
        int promptsPerProposal = r.promptsPerProposal() != null ? r.promptsPerProposal() : Math.min(fits, r.prompts().size());
        if (promptsPerProposal * perPrompt > MAX_CANDIDATES_PER_PROPOSAL) {
            throw ApiException.invalid("prompts_per_proposal", promptsPerProposal + " prompts × " + perPrompt
                    + " candidates exceed the " + MAX_CANDIDATES_PER_PROPOSAL + " candidates one proposal may sample");
        }
        if (!registry.hasCurrent(r.model())) {
            throw ApiException.invalid("model", "'" + r.model() + "' has no current checkpoint to propose from: register "
                    + "one and promote it (POST /v1/models/" + r.model() + "/promote)");
        }
        NewCampaign.Selection selection = r.selection() == null ? new NewCampaign.Selection(null, null, null) : r.selection();
        String mode = selection.mode() == null ? "fifo" : selection.mode();
        double randomShare = selection.randomShare() == null ? 0.2 : selection.randomShare();
        if (mode.equals("uncertainty")) {
            if (selection.rewardModel() == null || !registry.hasCurrent(selection.rewardModel())) {
                throw ApiException.invalid("selection.reward_model", "uncertainty selection needs a reward model with a"
                        + " current checkpoint to score pairs" + (selection.rewardModel() == null ? ""
                        : "; '" + selection.rewardModel() + "' has none"));
            }
        } else if (selection.rewardModel() != null) {
            throw ApiException.invalid("selection.reward_model", "only uncertainty selection scores pairs");
        }
        CampaignView.EvaluationSet evaluation = evaluationSet(r, heldOut);
        UUID policy = null;
        if (r.policy() != null) {
            NewCampaign.PolicySpec p = r.policy();
            if (Gate.HUMAN_WIN_RATE.equals(p.gate().metric()) && (evaluation == null || !evaluation.sideBySide())) {
                throw ApiException.invalid("policy.gate.metric", "human_win_rate needs an evaluation set judged side by"
                        + " side (evaluation: {side_by_side: true})");
            }
            policy = policies.create(new NewPolicy(r.project(), r.model(), p.method(), p.hyperparameters(), p.everyN(),
                    p.gate(), r.seed()), caller, evaluation != null).id();
        }
        try {
            if (feedback.projectModality(r.project()).isEmpty()) {
                throw ApiException.invalid("project", "the feedback-service has no project " + r.project());
            }
        } catch (FeedbackUnavailableException e) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Feedback-service unavailable", e.getMessage());
        }
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into campaigns (id, name, project_id, model, policy_id, proposal, prompts_per_proposal,
                    prompt_order, target_depth, superseded, pairs_per_checkpoint, selection_mode, random_share, score_with,
                    seed, created_by, evaluation)
                values (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)""")
                .params(id, r.name() == null ? "campaign on " + r.model() : r.name(), r.project(), r.model(), policy,
                        json.writeValueAsString(proposalFields(proposal)), promptsPerProposal,
                        r.promptOrder() == null ? "round_robin" : r.promptOrder(), r.targetDepth(),
                        r.superseded() == null ? "retire" : r.superseded(),
                        r.pairsPerCheckpoint() == null ? r.targetDepth() : r.pairsPerCheckpoint(), mode, randomShare,
                        selection.rewardModel(), r.seed(), caller.id(),
                        evaluation == null ? null : json.writeValueAsString(evaluation))
                .update();
        insertPrompts(id, r.prompts(), false);
        insertPrompts(id, heldOut, true);
        try {
            feedback.selection(r.project(), mode, randomShare);
        } catch (FeedbackUnavailableException e) {
            throw new ApiException(HttpStatus.BAD_GATEWAY, "Feedback-service unavailable",
                    "The project's pair selection could not be set: " + e.getMessage());
        }
        return require(id);
    }

    /** The evaluation set as stored: its prompts resolved, and one seed fixed for all its renderings. */
    private static CampaignView.EvaluationSet evaluationSet(NewCampaign r, List<String> heldOut) {
        NewCampaign.Evaluation e = r.evaluation();
        if (e == null) {
            return null;
        }
        List<String> prompts = e.prompts() != null && !e.prompts().isEmpty() ? e.prompts()
                : !heldOut.isEmpty() ? heldOut.subList(0, Math.min(64, heldOut.size()))
                : r.prompts().subList(0, Math.min(8, r.prompts().size()));
        int seeds = e.seeds() == null ? 4 : e.seeds();
        if (prompts.size() * seeds > MAX_CANDIDATES_PER_PROPOSAL) {
            throw ApiException.invalid("evaluation.seeds", prompts.size() + " prompts × " + seeds
                    + " seeds exceed the " + MAX_CANDIDATES_PER_PROPOSAL + " candidates one rendering may sample");
        }
        long seed = r.seed() != null ? (r.seed() * 7_919L + 104_729L) & ((1L << 48) - 1)
                : java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 40);
        return new CampaignView.EvaluationSet(List.copyOf(prompts), seeds, seed,
                e.sideBySide() == null || e.sideBySide());
    }

    /** Adds prompts to a campaign that runs (or is paused); prompts it has already are refused. */
    @Transactional
    public CampaignView addPrompts(UUID id, List<String> prompts, boolean heldOut) {
        CampaignView campaign = require(id);
        if (campaign.state().equals("stopped")) {
            throw new ApiException(HttpStatus.CONFLICT, "Campaign stopped", "Campaign " + id + " is stopped");
        }
        List<String> all = new ArrayList<>(campaign.prompts());
        all.addAll(campaign.heldOutPrompts());
        Set<String> known = new HashSet<>(all);
        for (int i = 0; i < prompts.size(); i++) {
            if (known.contains(prompts.get(i))) {
                throw ApiException.invalid("prompts[" + i + "]", "the campaign has this prompt already");
            }
        }
        requireDistinct(prompts, List.of());
        insertPrompts(id, prompts, heldOut);
        return require(id);
    }

    /** Pauses or resumes a campaign and its policy; a stopped campaign stays stopped. */
    @Transactional
    public CampaignView setState(UUID id, String state) {
        CampaignView campaign = require(id);
        if (campaign.state().equals("stopped") && !state.equals("stopped")) {
            throw new ApiException(HttpStatus.CONFLICT, "Campaign stopped", "Campaign " + id
                    + " is stopped for good; create a new one");
        }
        jdbc.sql("update campaigns set state = ? where id = ?").params(state, id).update();
        if (campaign.policyId() != null) {
            policies.setActive(campaign.policyId(), state.equals("active"));
        }
        return require(id);
    }

    public CampaignView require(UUID id) {
        return jdbc.sql("select * from campaigns where id = ?").param(id).query(this::map).optional()
                .orElseThrow(() -> ApiException.notFound("Campaign", id));
    }

    /**
     * A campaign's settings and state as its tick needs them, without its prompts and per-checkpoint
     * counts (those lists stay empty): a tick every few seconds need not read thousands of prompts.
     */
    CampaignView settings(UUID id) {
        return jdbc.sql("select * from campaigns where id = ?").param(id).query((rs, n) -> view(rs, false)).optional()
                .orElseThrow(() -> ApiException.notFound("Campaign", id));
    }

    public List<CampaignView> list() {
        return jdbc.sql("select * from campaigns order by created_at, id").query(this::map).list();
    }

    public PolicyView policyOf(CampaignView campaign) {
        return campaign.policyId() == null ? null : policies.require(campaign.policyId());
    }

    /** Appends prompts after the campaign's last position, in one statement however many. */
    private void insertPrompts(UUID campaign, List<String> prompts, boolean heldOut) {
        jdbc.sql("""
                insert into campaign_prompts (campaign_id, position, prompt, held_out)
                select :campaign, (select coalesce(max(position) + 1, 0) from campaign_prompts where campaign_id = :campaign)
                                  + t.n - 1, t.prompt, :held_out
                from unnest(cast(:prompts as text[])) with ordinality as t(prompt, n)""")
                .param("campaign", campaign).param("held_out", heldOut)
                .param("prompts", prompts.toArray(String[]::new)).update();
    }

    private static void requireDistinct(List<String> prompts, List<String> heldOut) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < prompts.size(); i++) {
            if (!seen.add(prompts.get(i))) {
                throw ApiException.invalid("prompts[" + i + "]", "appears twice");
            }
        }
        for (int i = 0; i < heldOut.size(); i++) {
            if (!seen.add(heldOut.get(i))) {
                throw ApiException.invalid("held_out_prompts[" + i + "]", "appears twice or among the prompts");
            }
        }
    }

    /** The proposal settings as the inference-service's request fields (snake_case, unset ones left out). */
    private Map<String, Object> proposalFields(NewCampaign.ProposalSettings settings) {
        Map<String, Object> fields = new LinkedHashMap<>(json.convertValue(settings, MAP));
        fields.values().removeIf(v -> v == null);
        return fields;
    }

    private CampaignView map(ResultSet rs, int row) throws SQLException {
        return view(rs, true);
    }

    /** @param detail with the prompts and the counts per checkpoint (else both lists are empty) */
    private CampaignView view(ResultSet rs, boolean detail) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        List<String> prompts = new ArrayList<>();
        List<String> heldOut = new ArrayList<>();
        if (detail) {
            jdbc.sql("select prompt, held_out from campaign_prompts where campaign_id = ? order by position").param(id)
                    .query((p, n) -> (p.getBoolean("held_out") ? heldOut : prompts).add(p.getString("prompt"))).list();
        }
        String summary = rs.getString("pair_summary");
        List<FeedbackPairs.CheckpointPairs> pairs = summary == null ? List.of() : json.readValue(summary, SUMMARY);
        return new CampaignView(id, rs.getString("name"), rs.getObject("project_id", UUID.class), rs.getString("model"),
                rs.getObject("policy_id", UUID.class), rs.getString("state"), prompts, heldOut,
                json.readValue(rs.getString("proposal"), MAP), rs.getInt("prompts_per_proposal"),
                rs.getString("prompt_order"), rs.getInt("target_depth"), rs.getString("superseded"),
                rs.getInt("pairs_per_checkpoint"), new CampaignView.Selection(rs.getString("selection_mode"),
                        rs.getDouble("random_share"), rs.getString("score_with")),
                rs.getString("evaluation") == null ? null
                        : json.readValue(rs.getString("evaluation"), CampaignView.EvaluationSet.class),
                rs.getString("scored_by"), (Long) rs.getObject("seed"), (Integer) rs.getObject("open_pairs"),
                rs.getString("proposal_checkpoint"), rs.getInt("proposals_made"),
                detail ? checkpointCounts(id, pairs) : List.of(),
                rs.getString("last_error"), rs.getTimestamp("last_error_at") == null ? null
                        : rs.getTimestamp("last_error_at").toInstant(),
                rs.getTimestamp("created_at").toInstant());
    }

    /** The campaign's proposals per checkpoint, joined with what the feedback-service last said of their pairs. */
    private List<CampaignView.CheckpointCounts> checkpointCounts(UUID id, List<FeedbackPairs.CheckpointPairs> pairs) {
        Map<String, CampaignView.CheckpointCounts> counts = new LinkedHashMap<>();
        jdbc.sql("""
                select checkpoint, count(*) proposals, coalesce(sum(pairs), 0) pairs, min(created_at) first
                from campaign_proposals where campaign_id = ? and status = 'done'
                group by checkpoint order by first""").param(id).query((rs, n) -> counts.put(rs.getString("checkpoint"),
                new CampaignView.CheckpointCounts(rs.getString("checkpoint"), rs.getInt("proposals"), rs.getInt("pairs"),
                        0, 0, 0))).list();
        for (FeedbackPairs.CheckpointPairs p : pairs) {
            if (p.checkpoint() == null) {
                continue;
            }
            CampaignView.CheckpointCounts c = counts.get(p.checkpoint());
            counts.put(p.checkpoint(), new CampaignView.CheckpointCounts(p.checkpoint(), c == null ? 0 : c.proposals(),
                    c == null ? 0 : c.proposedPairs(), p.open(), p.resolved(), p.retired()));
        }
        return List.copyOf(counts.values());
    }
}
