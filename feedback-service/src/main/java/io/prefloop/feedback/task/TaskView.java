package io.prefloop.feedback.task;

import java.time.Instant;
import java.util.UUID;

/**
 * A pair leased to one labeler, sides in the order to show them. Each side carries the
 * {@code choice} value that picks it, so a client never has to map left/right to a/b itself.
 */
public record TaskView(UUID taskId, UUID pairId, UUID projectId, String prompt, Side left, Side right,
        Instant leasedAt, Instant expiresAt) {

    public record Side(String choice, UUID candidateId, String text, String imageUrl) {}
}
