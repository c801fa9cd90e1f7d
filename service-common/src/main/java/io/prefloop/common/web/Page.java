package io.prefloop.common.web;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * A page of a cursor-paginated list. Fetch {@code limit + 1} rows and pass them here:
 * the extra row only says that there is more.
 *
 * @param nextCursor pass as {@code after} to get the next page; null on the last page
 */
public record Page<T>(List<T> data, String nextCursor, boolean hasMore) {

    public static final int MAX_LIMIT = 1000;

    public static <T> Page<T> of(List<T> rows, int limit, Function<T, String> cursor) {
        boolean more = rows.size() > limit;
        List<T> data = more ? rows.subList(0, limit) : rows;
        return new Page<>(List.copyOf(data), more ? cursor.apply(data.get(data.size() - 1)) : null, more);
    }

    public static int checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.invalid("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    public static UUID uuidCursor(String after) {
        try {
            return UUID.fromString(after);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("after", "is not a cursor returned by this list");
        }
    }

    public static long longCursor(String after) {
        try {
            long value = Long.parseLong(after);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.invalid("after", "is not a cursor returned by this list");
        }
    }
}
