package io.prefloop.feedback.comparison;

import io.prefloop.feedback.candidate.CandidateView;
import io.prefloop.feedback.pair.PairView;
import java.time.Instant;
import java.util.UUID;

/**
 * A resolved pair as trainers read it. {@code chosen} and {@code rejected} are set when the
 * outcome is decisive ({@code a} or {@code b}); ties, splits and both-bad carry neither.
 *
 * @param position this comparison's place in the feed; pass the last one read as {@code after}
 * @param servedBy the rule that first leased the pair: {@code random} pairs are a uniform sample of
 *     the open pairs, {@code uncertainty} ones were picked for a scored P(a ≻ b) near 0.5; null for a
 *     pair judged without being leased
 * @param source {@code import:<import id>} for a comparison imported from a preference dataset (no
 *     labeler judged it here: one vote, agreement 1); null for comparisons judged by labelers
 */
public record ComparisonView(long position, UUID pairId, String prompt, String outcome, CandidateView chosen,
        CandidateView rejected, CandidateView candidateA, CandidateView candidateB, PairView.Votes votes,
        double agreement, Instant resolvedAt, String servedBy, String source) {}
