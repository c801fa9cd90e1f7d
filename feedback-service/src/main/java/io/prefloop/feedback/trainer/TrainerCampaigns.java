package io.prefloop.feedback.trainer;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A project's campaigns as the trainer reports them (state, model, selection, open pairs, target
 * depth, counts per checkpoint, last error), passed through for the dashboard's campaign panel.
 *
 * @param configured false when no trainer URL is set; the list is then empty
 */
public record TrainerCampaigns(boolean configured, List<JsonNode> campaigns) {}
