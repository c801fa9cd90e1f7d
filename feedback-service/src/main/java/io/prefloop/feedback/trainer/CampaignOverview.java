package io.prefloop.feedback.trainer;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One campaign and its history in one answer, as the trainer reports them.
 *
 * @param campaign the campaign ({@code GET /v1/campaigns/{id}})
 * @param depth open pairs over time ({@code at, open_pairs, checkpoint}), oldest first
 * @param proposals every proposal the campaign made
 * @param evaluations human win rate of each promoted checkpoint against the one before, with its
 *     interval and held-out metric; empty while the trainer has none
 */
public record CampaignOverview(JsonNode campaign, List<JsonNode> depth, List<JsonNode> proposals,
        List<JsonNode> evaluations) {}
