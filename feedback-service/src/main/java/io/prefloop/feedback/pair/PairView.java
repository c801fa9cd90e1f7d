package io.prefloop.feedback.pair;

import java.time.Instant;
import java.util.UUID;

/**
 * A pair of candidates to compare, with its votes so far and, once resolved, its outcome.
 *
 * @param status {@code open}, {@code resolved} or {@code retired}
 * @param pA a scoring model's P(a ≻ b), null when unscored
 * @param scoredBy the checkpoint that gave {@code pA}
 * @param servedBy the rule that first leased the pair ({@code fifo}, {@code uncertainty} or
 *     {@code random}, or {@code evaluation} for an evaluation pair); null while it was never leased
 * @param purpose {@code training} or {@code evaluation}
 * @param source where the outcome came from when no labeler of this service judged the pair
 *     ({@code import:<import id>} for an imported dataset's row); null for judged pairs
 */
public record PairView(UUID id, UUID projectId, UUID candidateA, UUID candidateB, int judgmentsNeeded,
        Votes votes, int skips, String status, String outcome, Double agreement, Instant resolvedAt,
        Instant createdAt, Double pA, String scoredBy, String servedBy,
        String purpose, String source) {

    public record Votes(int a, int b, int tie, int bothBad) {}
}
