package io.prefloop.feedback.pair;

import java.time.Instant;
import java.util.List;

/**
 * A project's training pairs counted by the checkpoint of their candidate a.
 *
 * @param open open training pairs in all, the ones labelers can still be served
 * @param evaluationOpen open evaluation pairs, not counted in {@code open} nor in {@code byCheckpoint}
 * @param byCheckpoint oldest first pair first; {@code checkpoint} is null for candidates without one
 */
public record PairSummary(long open, long evaluationOpen, List<ByCheckpoint> byCheckpoint) {

    public record ByCheckpoint(String checkpoint, long open, long resolved, long retired, Instant firstCreatedAt) {}
}
