package io.prefloop.trainer.feedback;

import java.util.Map;
import java.util.UUID;

/**
 * A resolved pair from the feedback-service's comparisons feed (the fields a trainer needs).
 * {@code chosen} and {@code rejected} are null unless the outcome is decisive.
 */
public record Comparison(long position, UUID pairId, String prompt, String outcome, Candidate chosen,
        Candidate rejected, Candidate a, Candidate b, double agreement) {

    public record Candidate(UUID id, String text, String imageUrl, String imageSha256, String model,
            String checkpoint, Long seed, Map<String, Object> params) {}

    public boolean decisive() {
        return chosen != null && rejected != null;
    }

    public boolean tie() {
        return "tie".equals(outcome);
    }

    /** The preferred side, or side a of a tie. */
    public Candidate first() {
        return decisive() ? chosen : a;
    }

    /** The other side. */
    public Candidate second() {
        return decisive() ? rejected : b;
    }
}
