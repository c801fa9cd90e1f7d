package io.prefloop.feedback.evaluation;

import java.time.Instant;

/**
 * The human verdict on one checkpoint against another, from the evaluation pairs whose candidate a
 * comes from {@code checkpoint} and candidate b from {@code against}.
 *
 * @param wins votes for a (the new checkpoint), summed over the pairs, open ones included
 * @param votes {@code wins + losses + ties}; {@code both_bad} votes say nothing about which is better
 * @param winRate {@code (wins + ties / 2) / votes}; null when {@code votes} is 0
 * @param ciLow the 95% Wilson score interval on {@code win_rate} with n = {@code votes}; null with it
 */
public record WinRate(String checkpoint, String against, long pairs, long open, long resolved, long wins,
        long losses, long ties, long bothBad, long votes, Double winRate, Double ciLow, Double ciHigh,
        Instant firstCreatedAt) {}
