package io.prefloop.common.auth;

/**
 * The authenticated caller of a request.
 *
 * @param id stable identifier (a labeler's id for labelers; {@code config:admin} for the configured key)
 */
public record Caller(String id, String name, Role role) {

    public boolean is(Role other) {
        return role == other;
    }
}
