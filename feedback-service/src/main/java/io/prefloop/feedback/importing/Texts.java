package io.prefloop.feedback.importing;

import io.prefloop.feedback.FeedbackProperties;
import org.springframework.stereotype.Component;

/** The limits a candidate's prompt and text have, applied to imported rows with the row named. */
@Component
class Texts {

    private final FeedbackProperties properties;

    Texts(FeedbackProperties properties) {
        this.properties = properties;
    }

    String prompt(int row, String field, String prompt) {
        if (prompt.isBlank()) {
            throw RowProblem.of(row, field, "must not be empty");
        }
        if (prompt.length() > properties.maxPromptLength()) {
            throw RowProblem.of(row, field, "is longer than " + properties.maxPromptLength() + " characters");
        }
        noNul(row, field, prompt);
        return prompt;
    }

    String text(int row, String field, String text) {
        if (text.isEmpty() || text.length() > properties.maxTextLength()) {
            throw RowProblem.of(row, field, "must be 1 to " + properties.maxTextLength() + " characters");
        }
        noNul(row, field, text);
        return text;
    }

    /** PostgreSQL's text cannot hold U+0000. */
    private static void noNul(int row, String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw RowProblem.of(row, field, "must not contain NUL characters (U+0000)");
        }
    }
}
