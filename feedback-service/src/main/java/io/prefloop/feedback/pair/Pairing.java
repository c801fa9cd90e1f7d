package io.prefloop.feedback.pair;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How bulk pairing combines the candidates of one prompt. */
public enum Pairing {
    DISJOINT,
    ALL;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
