package io.prefloop.experiments;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The command line of an experiment's main: {@code --name value} pairs and bare {@code --flag}s.
 * A main asks for every option it knows through the typed getters, each with its default, then
 * calls {@link #finish}, which refuses any option no getter asked for (naming the known ones) and
 * answers {@code --help} with the list of options and defaults.
 *
 * <pre>
 * Arguments a = new Arguments(argv);
 * int steps = a.integer("steps", 800);
 * double lr = a.number("lr", 1e-4);
 * if (!a.finish(System.out)) {
 *     return; // --help was printed
 * }
 * </pre>
 *
 * A {@code --name} followed by another {@code --name}, or last, is a flag (no value). Values are
 * parsed when asked for; one that does not parse is refused with the option's name. Every refusal
 * is a {@link UsageException}.
 */
public final class Arguments {

    private static final String HELP = "help";

    /**
     * A command line this parser or the main's options refuse. Without a stack trace: uncaught in a
     * main, the JVM prints one line, the message.
     */
    public static final class UsageException extends IllegalArgumentException {

        public UsageException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** name → value as given; null for a flag */
    private final Map<String, String> given = new LinkedHashMap<>();
    /** name → its default as text, in the order the getters asked */
    private final Map<String, String> known = new LinkedHashMap<>();

    public Arguments(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String token = argv[i];
            if (!token.startsWith("--") || token.length() == 2) {
                throw new UsageException("expected --name value or --flag, got '" + token + "'");
            }
            String name = token.substring(2);
            String value = null;
            if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                value = argv[++i];
            }
            if (given.containsKey(name)) {
                throw new UsageException("--" + name + " given twice");
            }
            given.put(name, value);
        }
    }

    /** The value of {@code --name}, or {@code fallback}. */
    public String string(String name, String fallback) {
        return get(name, String.valueOf(fallback), v -> v);
    }

    public int integer(String name, int fallback) {
        return get(name, String.valueOf(fallback), Integer::parseInt);
    }

    public long longInteger(String name, long fallback) {
        return get(name, String.valueOf(fallback), Long::parseLong);
    }

    public double number(String name, double fallback) {
        return get(name, String.valueOf(fallback), Double::parseDouble);
    }

    /** {@code --name} alone is true; {@code --name true} or {@code --name false} as written; absent: {@code fallback}. */
    public boolean bool(String name, boolean fallback) {
        known.put(name, String.valueOf(fallback));
        if (!given.containsKey(name)) {
            return fallback;
        }
        String v = given.get(name);
        if (v == null || v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new UsageException("--" + name + " takes true or false (or nothing, for true), got '" + v + "'");
    }

    /** The value of {@code --name} when given; an option without a default. */
    public Optional<String> optional(String name) {
        known.put(name, null);
        return given.containsKey(name) ? Optional.of(value(name)) : Optional.empty();
    }

    /**
     * Call after the last getter. Refuses options that no getter asked for; on {@code --help} prints
     * every known option with its default to {@code out}.
     *
     * @return false when {@code --help} was given (the caller should stop), true otherwise
     * @throws UsageException naming the unknown options and listing the known ones
     */
    public boolean finish(PrintStream out) {
        for (String name : given.keySet()) {
            if (!known.containsKey(name) && !name.equals(HELP)) {
                throw new UsageException("unknown option --" + name + "; known options: " + String.join(" ",
                        known.keySet().stream().map(k -> "--" + k).toList()) + " --" + HELP);
            }
        }
        if (given.containsKey(HELP)) {
            out.print(usage());
            return false;
        }
        return true;
    }

    /** One line per option asked for so far: {@code --name default}. */
    public String usage() {
        StringBuilder sb = new StringBuilder("options (default in brackets):\n");
        known.forEach((name, fallback) -> sb.append("  --").append(name)
                .append(fallback == null ? "" : " [" + fallback + "]").append('\n'));
        return sb.toString();
    }

    private <T> T get(String name, String fallback, Function<String, T> parse) {
        known.put(name, fallback);
        String text = given.containsKey(name) ? value(name) : fallback;
        try {
            return parse.apply(text);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + ": cannot read '" + text + "'");
        }
    }

    private String value(String name) {
        String v = given.get(name);
        if (v == null) {
            throw new UsageException("--" + name + " needs a value");
        }
        return v;
    }
}
