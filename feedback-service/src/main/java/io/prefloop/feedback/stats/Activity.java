package io.prefloop.feedback.stats;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Judgments over time and how long they took, for the dashboard's plots.
 *
 * @param bucket {@code minute}, {@code hour} or {@code day}; buckets without judgments are left out
 * @param elapsedMs decisive judgments (skips not counted) by time taken; the last bin has no upper end
 */
public record Activity(UUID projectId, String bucket, List<Bucket> throughput, List<Bin> elapsedMs) {

    public record Bucket(Instant start, long judgments, long skips, Double medianMs) {}

    public record Bin(int fromMs, Integer toMs, long count) {}
}
