package io.prefloop.feedback.export;

import io.prefloop.common.web.ApiException;
import java.util.Locale;

/** The dataset layouts trainers already read. */
enum ExportFormat {
    /** TRL's standard preference format: {prompt, chosen, rejected}. */
    TRL,
    /** OpenAI preference fine-tuning JSONL: input messages, preferred_output, non_preferred_output. */
    OPENAI,
    /** Pick-a-Pic v2 columns, one row per labeler's judgment, label 0.5/0.5 for a tie. */
    PICKAPIC;

    static ExportFormat parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("format", "must be one of trl, openai, pickapic");
        }
    }
}
