package io.prefloop.feedback.judgment;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A labeler's verdict on a pair; {@code a} and {@code b} name candidates, not screen sides. */
public enum Choice {
    A,
    B,
    TIE,
    BOTH_BAD,
    SKIP;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Choice parse(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** The pairs column that counts this choice. */
    String column() {
        return switch (this) {
            case A -> "votes_a";
            case B -> "votes_b";
            case TIE -> "votes_tie";
            case BOTH_BAD -> "votes_both_bad";
            case SKIP -> "skips";
        };
    }
}
