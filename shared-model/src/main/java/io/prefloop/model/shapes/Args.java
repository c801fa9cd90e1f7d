package io.prefloop.model.shapes;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} command-line options with defaults. */
final class Args {

    private final Map<String, String> values = new HashMap<>();

    Args(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            values.put(args[i].substring(2), args[i + 1]);
        }
    }

    String str(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    int integer(String name, int dflt) {
        return Integer.parseInt(values.getOrDefault(name, String.valueOf(dflt)));
    }

    double dbl(String name, double dflt) {
        return Double.parseDouble(values.getOrDefault(name, String.valueOf(dflt)));
    }
}
