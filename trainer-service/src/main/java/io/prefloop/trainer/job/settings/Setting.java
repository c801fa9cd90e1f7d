package io.prefloop.trainer.job.settings;

import java.util.List;

/**
 * One hyperparameter: its JSON name, default and what it accepts (a number in a range, an integer
 * in a range, or one of a few words).
 */
public record Setting(String name, Object defaultValue, double min, boolean minExclusive, double max,
        boolean maxExclusive, List<String> choices) {

    /** A number in [min, max], or (min, max] when {@code minExclusive}. */
    public static Setting number(String name, double defaultValue, double min, boolean minExclusive, double max) {
        return new Setting(name, defaultValue, min, minExclusive, max, false, List.of());
    }

    /** A number in [min, max). */
    public static Setting numberBelow(String name, double defaultValue, double min, double maxExclusive) {
        return new Setting(name, defaultValue, min, false, maxExclusive, true, List.of());
    }

    public static Setting integer(String name, int defaultValue, int min, int max) {
        return new Setting(name, defaultValue, min, false, max, false, List.of());
    }

    /** One of {@code choices} (lower case; the first is not necessarily the default). */
    public static Setting choice(String name, String defaultValue, String... choices) {
        return new Setting(name, defaultValue, 0, false, 0, false, List.of(choices));
    }

    /** A string such as a checkpoint reference; "" is the default, and the settings record decides whether it may stay empty. */
    public static Setting text(String name) {
        return text(name, "");
    }

    /** A string of at most 200 characters (a name, say); the settings record checks its form. */
    public static Setting text(String name, String defaultValue) {
        return new Setting(name, defaultValue, 0, false, 0, false, List.of());
    }

    public static Setting flag(String name, boolean defaultValue) {
        return new Setting(name, defaultValue, 0, false, 0, false, List.of());
    }

    boolean isFlag() {
        return defaultValue instanceof Boolean;
    }

    boolean isText() {
        return defaultValue instanceof String && choices.isEmpty();
    }

    boolean isInteger() {
        return defaultValue instanceof Integer;
    }

    boolean isChoice() {
        return !choices.isEmpty();
    }

    String range() {
        return (minExclusive ? "> " : ">= ") + format(min) + " and " + (maxExclusive ? "< " : "<= ") + format(max);
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
