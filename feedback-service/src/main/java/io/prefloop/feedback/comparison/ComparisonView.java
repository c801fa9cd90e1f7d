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
 */
public record ComparisonView(long position, UUID pairId, String prompt, String outcome, CandidateView chosen,
        CandidateView rejected, CandidateView candidateA, CandidateView candidateB, PairView.Votes votes,
        double agreement, Instant resolvedAt) {}
