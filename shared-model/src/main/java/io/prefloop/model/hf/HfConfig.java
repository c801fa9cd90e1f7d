package io.prefloop.model.hf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A HuggingFace {@code config.json} as a typed view. Getters without a default fail with an
 * {@link IllegalArgumentException} naming the key (and the file) when the key is missing, null or
 * of the wrong type; getters with a default return it when the key is missing or null (HF writes
 * {@code "n_inner": null} for "use the default") but still fail on a value of the wrong type.
 */
public final class HfConfig {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final JsonNode root;
    private final String source;

    private HfConfig(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": not a JSON object");
        }
        this.root = root;
        this.source = source;
    }

    /** Reads {@code config.json}; {@code path} is the file or the model directory holding it. */
    public static HfConfig read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses config JSON; {@code source} names it in error messages. */
    public static HfConfig parse(byte[] json, String source) {
        try {
            return new HfConfig(MAPPER.readTree(json), source);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(source + ": invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The whole config as plain Java values (maps, lists, strings, numbers, booleans), for readers that take a map. */
    public Map<String, Object> asMap() {
        return MAPPER.convertValue(root, new tools.jackson.core.type.TypeReference<Map<String, Object>>() {});
    }

    /** {@code model_type}, e.g. {@code "gpt2"} or {@code "llama"}. */
    public String modelType() {
        return getString("model_type");
    }

    /** {@code architectures}, e.g. {@code ["GPT2LMHeadModel"]}; fails if missing or empty. */
    public List<String> architectures() {
        JsonNode node = required("architectures");
        if (!node.isArray() || node.isEmpty()) {
            throw invalid("architectures", "a non-empty array of strings", node);
        }
        List<String> names = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isString()) {
                throw invalid("architectures", "a non-empty array of strings", node);
            }
            names.add(n.stringValue());
        }
        return List.copyOf(names);
    }

    /** Whether the key is present and not null. */
    public boolean has(String key) {
        JsonNode node = root.get(key);
        return node != null && !node.isNull();
    }

    public String getString(String key) {
        JsonNode node = required(key);
        if (!node.isString()) {
            throw invalid(key, "a string", node);
        }
        return node.stringValue();
    }

    public String getString(String key, String defaultValue) {
        return has(key) ? getString(key) : defaultValue;
    }

    public int getInt(String key) {
        JsonNode node = required(key);
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw invalid(key, "an int", node);
        }
        return node.intValue();
    }

    public int getInt(String key, int defaultValue) {
        return has(key) ? getInt(key) : defaultValue;
    }

    /** An int or an array of ints (e.g. {@code eos_token_id}, which some models list). */
    public int[] getInts(String key) {
        JsonNode node = required(key);
        if (!node.isArray()) {
            return new int[] {getInt(key)};
        }
        int[] values = new int[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode n = node.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw invalid(key, "an int or an array of ints", node);
            }
            values[i] = n.intValue();
        }
        return values;
    }

    /** A number (an integer such as {@code 10000} is accepted). */
    public double getDouble(String key) {
        JsonNode node = required(key);
        if (!node.isNumber()) {
            throw invalid(key, "a number", node);
        }
        return node.doubleValue();
    }

    public double getDouble(String key, double defaultValue) {
        return has(key) ? getDouble(key) : defaultValue;
    }

    public boolean getBoolean(String key) {
        JsonNode node = required(key);
        if (!node.isBoolean()) {
            throw invalid(key, "a boolean", node);
        }
        return node.booleanValue();
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        return has(key) ? getBoolean(key) : defaultValue;
    }

    /** A nested object (e.g. {@code rope_scaling}) as its own view; empty when missing or null. */
    public Optional<HfConfig> getObject(String key) {
        if (!has(key)) {
            return Optional.empty();
        }
        JsonNode node = root.get(key);
        if (!node.isObject()) {
            throw invalid(key, "an object", node);
        }
        return Optional.of(new HfConfig(node, source + " " + key));
    }

    @Override
    public String toString() {
        return source;
    }

    private JsonNode required(String key) {
        if (!has(key)) {
            throw new IllegalArgumentException(source + ": missing key \"" + key + "\"");
        }
        return root.get(key);
    }

    private IllegalArgumentException invalid(String key, String expected, JsonNode node) {
        return new IllegalArgumentException(source + ": \"" + key + "\" must be " + expected + ", got " + node);
    }
}
