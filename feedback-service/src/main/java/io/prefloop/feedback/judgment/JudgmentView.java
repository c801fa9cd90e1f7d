package io.prefloop.feedback.judgment;

import java.time.Instant;
import java.util.UUID;

/**
 * @param leftChoice the candidate ({@code a} or {@code b}) that was shown on the left, if a task was held
 * @param pairStatus the pair's state after this judgment ({@code open} or {@code resolved})
 */
public record JudgmentView(UUID id, UUID pairId, UUID projectId, UUID labelerId, UUID taskId, Choice choice,
        String leftChoice, Integer elapsedMs, Instant createdAt, String pairStatus, String pairOutcome) {}
