package io.prefloop.feedback.stats;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * @param pairs training pairs by state: {@code unjudged}, {@code in_progress}, {@code resolved} (retired pairs not included)
 * @param pairsRetired training pairs retired unjudged, never to be served
 * @param outcomes resolved training pairs by outcome
 * @param evaluationPairs evaluation pairs by state, as {@code pairs}; their results are in {@code /evaluations}
 * @param judgments all judgments, of training and evaluation pairs (as the agreement and bias figures)
 * @param krippendorffAlpha nominal alpha over pairs with two or more votes; null when not measurable
 * @param positionBias share of decisive judgments that picked the candidate shown on the left
 */
public record ProjectStats(UUID projectId, Map<String, Long> pairs, long pairsRetired, Map<String, Long> outcomes,
        Map<String, Long> evaluationPairs, long judgments,
        long skips, Double krippendorffAlpha, PositionBias positionBias, Double medianMsPerJudgment,
        long judgmentsLastHour, List<LabelerStats> labelers) {

    /** @param leftRate 0.5 means no bias; {@code z} is its distance from 0.5 in standard errors */
    public record PositionBias(long decisive, Double leftRate, Double z) {}

    /**
     * @param agreementWithConsensus share of this labeler's votes on multiply-judged resolved pairs that match the outcome
     * @param leftRate share of this labeler's {@code decisive} judgments (a or b, sides known) that picked the left side
     */
    public record LabelerStats(UUID labelerId, String name, long judgments, long skips, Double agreementWithConsensus,
            Double medianMs, long decisive, Double leftRate) {}
}
