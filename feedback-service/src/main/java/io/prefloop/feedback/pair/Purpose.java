package io.prefloop.feedback.pair;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a pair is for: training data for the feed, or measuring a new checkpoint against the previous one. */
public enum Purpose {
    TRAINING,
    /** Served before training pairs, kept out of the comparisons feed and exports, never retired. */
    EVALUATION;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException for anything but {@code training} or {@code evaluation} */
    public static Purpose parse(String value) {
        for (Purpose purpose : values()) {
            if (purpose.json().equals(value)) {
                return purpose;
            }
        }
        throw new IllegalArgumentException("must be training or evaluation");
    }
}
