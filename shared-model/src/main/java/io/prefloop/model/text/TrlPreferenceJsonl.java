package io.prefloop.model.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * TRL's standard preference format as JSON lines: {"prompt", "chosen", "rejected"}, optionally
 * with precomputed {"ref_chosen_logps", "ref_rejected_logps"} (summed log-probabilities, as TRL's
 * precompute_ref_log_probs writes them). The conversational format (message lists) is refused
 * with a message that says so.
 */
public final class TrlPreferenceJsonl {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private TrlPreferenceJsonl() {}

    /** A parsed line: the pair, and its reference log-probabilities when the line had them. */
    public record Row(TextPreference pair, Double refChosenLogps, Double refRejectedLogps) {}

    public static List<Row> read(Reader reader) {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(reader)) {
            String line;
            int number = 0;
            while ((line = lines.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = MAPPER.readTree(line);
                rows.add(new Row(new TextPreference(text(node, "prompt", number), text(node, "chosen", number),
                        text(node, "rejected", number)), number(node, "ref_chosen_logps"), number(node, "ref_rejected_logps")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    public static void write(Writer writer, List<TextPreference> pairs) {
        try {
            for (TextPreference p : pairs) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("prompt", p.prompt());
                row.put("chosen", p.chosen());
                row.put("rejected", p.rejected());
                writer.write(MAPPER.writeValueAsString(row));
                writer.write('\n');
            }
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode node, String field, int line) {
        JsonNode value = node.get(field);
        if (value != null && value.isArray()) {
            throw new IllegalArgumentException("line " + line + ": \"" + field
                    + "\" is a message list (TRL's conversational format); only the standard format is supported");
        }
        if (value == null || !value.isString()) {
            throw new IllegalArgumentException("line " + line + ": \"" + field + "\" must be a string");
        }
        return value.asString();
    }

    private static Double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isNumber() ? value.asDouble() : null;
    }
}
