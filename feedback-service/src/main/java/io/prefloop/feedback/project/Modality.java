package io.prefloop.feedback.project;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a project's candidates are. */
public enum Modality {
    IMAGE,
    TEXT;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Modality parse(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
