package io.prefloop.feedback.pair;

import java.time.Instant;
import java.util.List;

/**
 * A project's pairs counted by the checkpoint of their candidate a.
 *
 * @param open open pairs in all, the ones labelers can still be served
 * @param byCheckpoint oldest first pair first; {@code checkpoint} is null for candidates without one
 */
public record PairSummary(long open, List<ByCheckpoint> byCheckpoint) {

    public record ByCheckpoint(String checkpoint, long open, long resolved, long retired, Instant firstCreatedAt) {}
}
