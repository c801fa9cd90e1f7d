package io.prefloop.trainer.campaign;

import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Jobs;
import io.prefloop.trainer.policy.Gate;
import io.prefloop.trainer.policy.GateDecision;
import io.prefloop.trainer.policy.PolicyPromotions;
import io.prefloop.trainer.policy.PolicyView;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.registry.Registry;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * A policy gated on {@code human_win_rate}: each checkpoint its jobs published and whose promotion
 * waits is rendered and paired against the current checkpoint's rendering; once its evaluation
 * pairs have {@code min_votes} votes, its win rate (ties half) joins its metrics and the gate decides.
 */
@Component
class HumanGate {

    private final JdbcClient jdbc;
    private final Campaigns campaigns;
    private final CampaignEvaluations evaluations;
    private final Jobs jobs;
    private final Registry registry;
    private final PolicyPromotions promotions;

    HumanGate(JdbcClient jdbc, Campaigns campaigns, CampaignEvaluations evaluations, Jobs jobs, Registry registry,
            PolicyPromotions promotions) {
        this.jdbc = jdbc;
        this.campaigns = campaigns;
        this.evaluations = evaluations;
        this.jobs = jobs;
        this.registry = registry;
        this.promotions = promotions;
    }

    void decide(CampaignView campaign, String current) {
        PolicyView policy = campaigns.policyOf(campaign);
        if (policy == null || !policy.gate().human()) {
            return;
        }
        List<UUID> waiting = jdbc.sql("""
                select id from jobs where policy_id = ? and status = 'succeeded' and promotion ->> 'pending' = 'true'
                order by created_at""").param(policy.id()).query(UUID.class).list();
        for (UUID id : waiting) {
            JobView job = jobs.require(id);
            CheckpointView published = registry.publishedBy(id).orElse(null);
            if (published == null) {
                continue;
            }
            String candidate = published.model() + "/" + published.version();
            JsonNode rate = evaluations.evaluateCandidate(campaign, candidate, current);
            int votes = rate == null ? 0 : rate.path("votes").asInt();
            if (votes < policy.gate().minVotesOrDefault() || !rate.path("win_rate").isNumber()) {
                continue;
            }
            double winRate = rate.path("win_rate").asDouble();
            Map<String, Object> metrics = new HashMap<>(published.metrics());
            metrics.put(Gate.HUMAN_WIN_RATE, winRate);
            GateDecision gate = policy.gate().evaluate(metrics);
            GateDecision decision = new GateDecision(gate.gate(), gate.promoted(), gate.value(), gate.regression(),
                    gate.reason() + String.format(Locale.ROOT, " (%d votes against %s, 95%% interval %.3f–%.3f)", votes,
                            current, rate.path("ci_low").asDouble(), rate.path("ci_high").asDouble()));
            promotions.decide(policy, job, published, decision,
                    new Caller("campaign:" + campaign.id(), "campaign " + campaign.name(), Role.SERVICE));
        }
    }
}
