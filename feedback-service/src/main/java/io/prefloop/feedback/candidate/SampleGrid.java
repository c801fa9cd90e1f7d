package io.prefloop.feedback.candidate;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A project's candidates as a grid: one row per checkpoint that made them (oldest first), one
 * column per prompt, so a person can watch the outputs for the same prompt change as training goes on.
 *
 * @param prompts the columns: the prompts most checkpoints have candidates for
 */
public record SampleGrid(UUID projectId, List<String> prompts, List<Row> checkpoints) {

    /** @param samples one per prompt, in the order of {@code prompts}; null where this checkpoint has none */
    public record Row(String model, String checkpoint, Instant firstAt, long candidates, List<Sample> samples) {}

    public record Sample(UUID candidateId, String text, String imageUrl, Long seed) {}
}
