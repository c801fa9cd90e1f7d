package io.prefloop.feedback.pair;

import java.time.Instant;
import java.util.UUID;

/** A pair as the listing shows it: enough to score it again without reading its candidates one by one. */
public record PairListing(UUID id, String status, String purpose, Double pA, String scoredBy, String servedBy, String prompt,
        Side a, Side b, Instant createdAt) {

    /** @param imageUrl for image projects, the URL tasks use; text for text projects */
    public record Side(UUID candidateId, String text, String imageUrl, String checkpoint) {}
}
