package io.prefloop.feedback.task;

import java.time.Instant;
import java.util.UUID;

/**
 * One labeler's progress in a project, for the labeling page.
 *
 * @param judgedSince this labeler's judgments (skips not counted) since {@code since}, e.g. their local midnight
 * @param leftForYou open pairs this labeler has not judged and could be given now (their own leases included)
 * @param judgmentsLeft votes the project's open pairs still need, from anyone
 */
public record ProgressView(UUID projectId, Instant since, long judgedSince, long skippedSince, long judgedTotal,
        long leftForYou, long judgmentsLeft, long pairsOpen) {}
