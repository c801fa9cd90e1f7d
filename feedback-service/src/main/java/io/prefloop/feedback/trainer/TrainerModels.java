package io.prefloop.feedback.trainer;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The trainer's models and their checkpoints as the trainer reports them (lineage, method,
 * dataset range, metrics), passed through for the dashboard's checkpoint timeline.
 *
 * @param configured false when no trainer URL is set; the list is then empty
 */
public record TrainerModels(boolean configured, List<Model> models) {

    public record Model(String name, String currentVersion, List<JsonNode> checkpoints) {}
}
