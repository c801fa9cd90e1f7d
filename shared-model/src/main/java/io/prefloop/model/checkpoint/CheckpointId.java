package io.prefloop.model.checkpoint;

import java.util.regex.Pattern;

/** Names one published checkpoint: {@code <store>/<model>/<version>/}. */
public record CheckpointId(String model, String version) {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public CheckpointId {
        requireSafe("model", model);
        requireSafe("version", version);
    }

    /** Parses {@code "model/version"}. */
    public static CheckpointId parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("expected model/version, got " + text);
        }
        return new CheckpointId(text.substring(0, slash), text.substring(slash + 1));
    }

    /** Model and version become directory names, so they may not contain path syntax. */
    static void requireSafe(String what, String value) {
        if (value == null || !SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    what + " must match " + SAFE.pattern() + ", got " + value);
        }
    }

    @Override
    public String toString() {
        return model + "/" + version;
    }
}
