package io.prefloop.feedback.importing;

import io.prefloop.common.web.ApiException;
import io.prefloop.common.web.FieldProblem;
import java.util.List;
import org.springframework.http.HttpStatus;

/** A 400 naming the row (its line in the body, from 1) and the field. */
final class RowProblem {

    private RowProblem() {}

    /** @param field the row's field, or null for the row as a whole */
    static ApiException of(int row, String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "Invalid import row",
                "row " + row + " (line " + row + " of the body): " + (field == null ? "" : field + ": ") + message
                        + "; nothing was imported",
                List.of(new FieldProblem("rows[" + row + "]" + (field == null ? "" : "." + field), message)));
    }
}
