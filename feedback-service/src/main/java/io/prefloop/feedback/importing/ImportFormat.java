package io.prefloop.feedback.importing;

import io.prefloop.common.web.ApiException;
import java.util.Locale;

/** The dataset layouts an import reads: the inverses of the trl and pickapic exports. */
enum ImportFormat {
    TRL,
    PICKAPIC;

    String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ImportFormat parse(String value) {
        if (value != null) {
            for (ImportFormat format : values()) {
                if (format.json().equals(value)) {
                    return format;
                }
            }
        }
        throw ApiException.invalid("format", "must be trl or pickapic");
    }
}
