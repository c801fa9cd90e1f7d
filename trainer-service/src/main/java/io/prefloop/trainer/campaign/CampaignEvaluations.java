package io.prefloop.trainer.campaign;

import io.prefloop.trainer.feedback.FeedbackPairs;
import io.prefloop.trainer.inference.InferenceCallException;
import io.prefloop.trainer.inference.InferenceClient;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.registry.Registry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A campaign's evaluation set, rendered from every checkpoint it serves (the same prompts and seeds
 * each time), and, side by side, paired with the rendering of the checkpoint before it as evaluation
 * pairs: labelers' votes on them are the new checkpoint's human win rate against the previous one.
 * Evaluation pairs never enter the comparisons feed, so no policy trains on them.
 */
@Component
class CampaignEvaluations {

    /**
     * One checkpoint's rendering and, once labelers voted, its human win rate against {@code against}
     * (ties count half; a 95% Wilson interval), with the checkpoint's held-out metric from the registry.
     */
    record EvaluationView(String checkpoint, String against, String status, int candidates, Integer pairs, int open,
            int resolved, int wins, int losses, int ties, int votes, Double winRate, Double ciLow, Double ciHigh,
            String metric, Double metricValue, String error, Instant createdAt) {}

    private static final Logger log = LoggerFactory.getLogger(CampaignEvaluations.class);
    private static final TypeReference<List<UUID>> IDS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final InferenceClient inference;
    private final FeedbackPairs feedback;
    private final Registry registry;
    private final Campaigns campaigns;

    CampaignEvaluations(JdbcClient jdbc, JsonMapper json, InferenceClient inference, FeedbackPairs feedback,
            Registry registry, Campaigns campaigns) {
        this.jdbc = jdbc;
        this.json = json;
        this.inference = inference;
        this.feedback = feedback;
        this.registry = registry;
        this.campaigns = campaigns;
    }

    private record Row(String checkpoint, String against, UUID proposal, String status, List<UUID> candidates,
            Integer pairs, String error, Instant createdAt) {}

    /** Renders the served checkpoint's evaluation set if it has none yet, and pairs it with the one before. */
    void evaluate(CampaignView campaign, String served) {
        CampaignView.EvaluationSet set = campaign.evaluation();
        if (set == null) {
            return;
        }
        Row row = row(campaign.id(), served).orElseGet(() -> pending(campaign.id(), served));
        if (row.status().equals("pending")) {
            row = render(campaign, set, row);
        }
        if (row.status().equals("rendered")) {
            pair(campaign, set, row);
        }
    }

    private Row render(CampaignView campaign, CampaignView.EvaluationSet set, Row row) {
        Map<String, Object> request = new LinkedHashMap<>(campaign.proposal());
        request.remove("pairs_per_prompt");
        request.remove("trajectories");
        request.put("candidates_per_prompt", set.seeds());
        request.put("candidates_only", true);
        request.put("model", campaign.model());
        request.put("checkpoint", row.checkpoint().substring(row.checkpoint().indexOf('/') + 1));
        request.put("prompts", set.prompts());
        request.put("seed", set.seed());
        request.put("proposal", row.proposal());
        InferenceClient.Proposal made;
        try {
            made = inference.propose(campaign.project(), request);
        } catch (InferenceCallException e) {
            if (e.refused()) {
                finish(campaign.id(), row.checkpoint(), "failed", null, null, null, e.getMessage());
            }
            throw e;
        }
        finish(campaign.id(), row.checkpoint(), "rendered", null, made.candidates(), null, null);
        log.info("Campaign {}: evaluation set rendered from {} ({} samples)", campaign.id(), row.checkpoint(),
                made.candidates().size());
        return row(campaign.id(), row.checkpoint()).orElseThrow();
    }

    /**
     * A checkpoint the policy's human gate waits on: rendered (the inference-service loads it, it is
     * not served) and paired against the current checkpoint's rendering. Its win rate so far, or
     * null while the current checkpoint has no rendering to be paired against.
     */
    JsonNode evaluateCandidate(CampaignView campaign, String candidate, String current) {
        CampaignView.EvaluationSet set = campaign.evaluation();
        Row against = row(campaign.id(), current).orElse(null);
        if (set == null || against == null || against.candidates() == null) {
            return null;
        }
        Row row = row(campaign.id(), candidate).orElseGet(() -> pending(campaign.id(), candidate));
        if (row.status().equals("pending")) {
            row = render(campaign, set, row);
        }
        if (row.status().equals("rendered")) {
            pairWith(campaign, row, against);
        }
        for (JsonNode e : feedback.evaluations(campaign.project())) {
            if (e.path("checkpoint").asString().equals(candidate) && e.path("against").asString().equals(current)) {
                return e;
            }
        }
        return null;
    }

    /** Pairs each sample with the previous rendering's sample of the same prompt and seed. */
    private void pair(CampaignView campaign, CampaignView.EvaluationSet set, Row row) {
        Row previous = set.sideBySide() ? previous(campaign.id(), row) : null;
        pairWith(campaign, row, previous);
    }

    private void pairWith(CampaignView campaign, Row row, Row previous) {
        if (previous == null) {
            finish(campaign.id(), row.checkpoint(), "paired", null, row.candidates(), 0, null);
            return;
        }
        int n = Math.min(row.candidates().size(), previous.candidates().size());
        for (int i = 0; i < n; i++) {
            feedback.createPair(campaign.project(), row.candidates().get(i), previous.candidates().get(i), "evaluation",
                    "campaign/" + campaign.id() + "/evaluation/" + row.checkpoint() + "/" + i);
        }
        finish(campaign.id(), row.checkpoint(), "paired", previous.checkpoint(), row.candidates(), n, null);
        log.info("Campaign {}: {} evaluation pairs, {} against {}", campaign.id(), n, row.checkpoint(),
                previous.checkpoint());
    }

    /** The campaign's renderings, oldest first, with the human win rates and registry metrics. */
    List<EvaluationView> list(UUID campaignId) {
        CampaignView campaign = campaigns.require(campaignId);
        List<Row> rows = jdbc.sql("select * from campaign_evaluations where campaign_id = ? order by created_at")
                .param(campaignId).query(this::map).list();
        Map<String, JsonNode> rates = new LinkedHashMap<>();
        if (rows.stream().anyMatch(r -> r.pairs() != null && r.pairs() > 0)) {
            for (JsonNode e : feedback.evaluations(campaign.project())) {
                rates.put(e.path("checkpoint").asString() + " " + e.path("against").asString(), e);
            }
        }
        String metric = campaign.policyId() == null ? null : campaigns.policyOf(campaign).gate().metric();
        List<EvaluationView> views = new ArrayList<>();
        for (Row r : rows) {
            JsonNode rate = r.against() == null ? null : rates.get(r.checkpoint() + " " + r.against());
            Double value = metricValue(r.checkpoint(), metric);
            views.add(new EvaluationView(r.checkpoint(), r.against(), r.status(),
                    r.candidates() == null ? 0 : r.candidates().size(), r.pairs(), count(rate, "open"),
                    count(rate, "resolved"), count(rate, "wins"), count(rate, "losses"), count(rate, "ties"),
                    count(rate, "votes"), number(rate, "win_rate"), number(rate, "ci_low"), number(rate, "ci_high"),
                    metric, value, r.error(), r.createdAt()));
        }
        return views;
    }

    private Double metricValue(String checkpoint, String metric) {
        if (metric == null) {
            return null;
        }
        int slash = checkpoint.indexOf('/');
        try {
            CheckpointView c = registry.checkpoint(checkpoint.substring(0, slash), checkpoint.substring(slash + 1));
            Object v = c.metrics().get(metric);
            return v instanceof Number n ? n.doubleValue() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static int count(JsonNode rate, String field) {
        return rate == null ? 0 : rate.path(field).asInt();
    }

    private static Double number(JsonNode rate, String field) {
        return rate == null || !rate.path(field).isNumber() ? null : rate.path(field).asDouble();
    }

    private Optional<Row> row(UUID campaign, String checkpoint) {
        return jdbc.sql("select * from campaign_evaluations where campaign_id = ? and checkpoint = ?")
                .params(campaign, checkpoint).query(this::map).optional();
    }

    /** The last rendering before {@code row} that can be paired against. */
    private Row previous(UUID campaign, Row row) {
        return jdbc.sql("""
                select * from campaign_evaluations where campaign_id = ? and checkpoint <> ?
                  and status in ('rendered', 'paired') and created_at <= ?
                order by created_at desc limit 1""")
                .params(campaign, row.checkpoint(), java.sql.Timestamp.from(row.createdAt())).query(this::map)
                .optional().orElse(null);
    }

    @Transactional
    Row pending(UUID campaign, String checkpoint) {
        jdbc.sql("""
                insert into campaign_evaluations (campaign_id, checkpoint, proposal, status) values (?, ?, ?, 'pending')
                on conflict do nothing""").params(campaign, checkpoint, UUID.randomUUID()).update();
        return row(campaign, checkpoint).orElseThrow();
    }

    private void finish(UUID campaign, String checkpoint, String status, String against, List<UUID> candidates,
            Integer pairs, String error) {
        jdbc.sql("""
                update campaign_evaluations set status = ?, against = coalesce(?, against),
                  candidates = coalesce(?::jsonb, candidates), pairs = ?, error = ?, finished_at = now()
                where campaign_id = ? and checkpoint = ?""")
                .params(status, against, candidates == null ? null : json.writeValueAsString(candidates), pairs, error,
                        campaign, checkpoint).update();
    }

    private Row map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        String candidates = rs.getString("candidates");
        return new Row(rs.getString("checkpoint"), rs.getString("against"), rs.getObject("proposal", UUID.class),
                rs.getString("status"), candidates == null ? null : json.readValue(candidates, IDS),
                (Integer) rs.getObject("pairs"), rs.getString("error"), rs.getTimestamp("created_at").toInstant());
    }
}
