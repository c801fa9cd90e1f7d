package io.prefloop.feedback.pair;

import java.time.Instant;
import java.util.UUID;

/** A pair of candidates to compare, with its votes so far and, once resolved, its outcome. */
public record PairView(UUID id, UUID projectId, UUID candidateA, UUID candidateB, int judgmentsNeeded,
        Votes votes, int skips, String status, String outcome, Double agreement, Instant resolvedAt,
        Instant createdAt) {

    public record Votes(int a, int b, int tie, int bothBad) {}
}
