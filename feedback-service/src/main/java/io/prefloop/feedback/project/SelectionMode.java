package io.prefloop.feedback.project;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How tasks/next picks among the open pairs a labeler may take. */
public enum SelectionMode {
    /** The oldest first. */
    FIFO,
    /** Mostly the pair whose scored P(a ≻ b) is closest to 0.5; a random pair with probability {@code random_share}. */
    UNCERTAINTY;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SelectionMode parse(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
