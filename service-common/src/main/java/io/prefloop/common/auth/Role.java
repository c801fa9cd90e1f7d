package io.prefloop.common.auth;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Who may call what: admins manage, labelers judge, services call each other. */
public enum Role {
    ADMIN,
    LABELER,
    SERVICE;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
