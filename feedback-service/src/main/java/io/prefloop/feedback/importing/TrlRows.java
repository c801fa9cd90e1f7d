package io.prefloop.feedback.importing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * TRL preference rows, standard ({@code prompt}, {@code chosen}, {@code rejected} strings) or
 * conversational (message lists), with the prompt explicit or implicit (the beginning that
 * {@code chosen} and {@code rejected} share, as TRL's {@code extract_prompt} finds it).
 *
 * <p>Conversational rows are stored flat: the prompt's turns as {@code role: content} lines, a
 * completion of one message as its content (of several, as lines like the prompt's). Each
 * candidate then keeps the row's original {@code prompt} and its own side under {@code params.trl}.
 */
@Component
class TrlRows {

    static final Set<String> FIELDS = Set.of("prompt", "chosen", "rejected");

    private final Texts texts;

    TrlRows(Texts texts) {
        this.texts = texts;
    }

    private record Turn(String role, String content) {
        String line() {
            return role + ": " + content;
        }
    }

    ImportRow parse(int row, JsonNode node, Map<String, Object> base) {
        JsonNode prompt = node.get("prompt");
        JsonNode chosen = required(row, node, "chosen");
        JsonNode rejected = required(row, node, "rejected");
        String promptText;
        String chosenText;
        String rejectedText;
        boolean asGiven = false;
        if (chosen.isString() && rejected.isString()) {
            chosenText = chosen.asString();
            rejectedText = rejected.asString();
            if (prompt == null || prompt.isNull()) {
                int split = implicitPrompt(chosenText, rejectedText);
                promptText = chosenText.substring(0, split);
                chosenText = chosenText.substring(split);
                rejectedText = rejectedText.substring(split);
                if (promptText.isBlank()) {
                    throw RowProblem.of(row, "prompt", "is missing, and chosen and rejected do not begin alike");
                }
            } else if (prompt.isString()) {
                promptText = prompt.asString();
                asGiven = true;
            } else if (prompt.isArray()) {
                promptText = lines(turns(row, "prompt", prompt));
            } else {
                throw RowProblem.of(row, "prompt", "must be a string or a list of messages");
            }
        } else if (chosen.isArray() && rejected.isArray()) {
            List<Turn> chosenTurns = turns(row, "chosen", chosen);
            List<Turn> rejectedTurns = turns(row, "rejected", rejected);
            List<Turn> promptTurns;
            if (prompt == null || prompt.isNull()) {
                promptTurns = List.of();
            } else if (prompt.isString()) {
                promptTurns = List.of(new Turn("user", prompt.asString()));
            } else if (prompt.isArray()) {
                promptTurns = turns(row, "prompt", prompt);
            } else {
                throw RowProblem.of(row, "prompt", "must be a string or a list of messages");
            }
            int shared = 0;
            while (shared < chosenTurns.size() && shared < rejectedTurns.size()
                    && chosenTurns.get(shared).equals(rejectedTurns.get(shared))) {
                shared++;
            }
            List<Turn> common = chosenTurns.subList(0, shared);
            // chosen and rejected may hold the whole conversation, the prompt's turns included
            if (common.size() >= promptTurns.size() && common.subList(0, promptTurns.size()).equals(promptTurns)) {
                promptTurns = common;
            } else {
                List<Turn> all = new ArrayList<>(promptTurns);
                all.addAll(common);
                promptTurns = all;
            }
            if (promptTurns.isEmpty()) {
                throw RowProblem.of(row, "prompt", "is missing, and chosen and rejected share no leading messages");
            }
            promptText = lines(promptTurns);
            chosenText = completion(row, "chosen", chosenTurns.subList(shared, chosenTurns.size()));
            rejectedText = completion(row, "rejected", rejectedTurns.subList(shared, rejectedTurns.size()));
        } else {
            throw RowProblem.of(row, "rejected", "chosen and rejected must both be strings (TRL's standard format) "
                    + "or both lists of messages (its conversational format)");
        }
        texts.prompt(row, "prompt", promptText);
        texts.text(row, "chosen", chosenText);
        texts.text(row, "rejected", rejectedText);
        return new ImportRow(row, promptText,
                new ImportRow.Side(chosenText, null, null, params(base, "chosen", node, prompt, chosen, asGiven)),
                new ImportRow.Side(rejectedText, null, null, params(base, "rejected", node, prompt, rejected, asGiven)),
                "a");
    }

    /** The original row's prompt and this side, unless the row was stored exactly as given. */
    private static Map<String, Object> params(Map<String, Object> base, String side, JsonNode node, JsonNode prompt,
            JsonNode completion, boolean asGiven) {
        Map<String, Object> params = new LinkedHashMap<>(base);
        params.put("side", side);
        if (!asGiven) {
            Map<String, Object> original = new LinkedHashMap<>();
            if (prompt != null) {
                original.put("prompt", prompt);
            }
            original.put(side, completion);
            params.put("trl", original);
        }
        return params;
    }

    private static JsonNode required(int row, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw RowProblem.of(row, field, "is missing");
        }
        return value;
    }

    /** TRL's extract_prompt: the common beginning, less a space it ends on (the completions keep it). */
    static int implicitPrompt(String chosen, String rejected) {
        int n = Math.min(chosen.length(), rejected.length());
        for (int i = 0; i < n; i++) {
            if (chosen.charAt(i) != rejected.charAt(i)) {
                return i > 0 && chosen.charAt(i - 1) == ' ' ? i - 1 : i;
            }
        }
        return n;
    }

    private static List<Turn> turns(int row, String field, JsonNode list) {
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode message = list.get(i);
            String at = field + "[" + i + "]";
            if (!message.isObject()) {
                throw RowProblem.of(row, at, "must be a message: {\"role\": ..., \"content\": ...}");
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isString() || role.asString().isBlank()) {
                throw RowProblem.of(row, at + ".role", "must be a non-empty string");
            }
            turns.add(new Turn(role.asString(), content(row, at + ".content", message.get("content"))));
        }
        return turns;
    }

    /** A string, or a list of text parts ({"type": "text", "text": ...}), joined. */
    private static String content(int row, String field, JsonNode content) {
        if (content != null && content.isString()) {
            return content.asString();
        }
        if (content != null && content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                JsonNode value = part.get("text");
                if (!part.isObject() || !"text".equals(part.path("type").asString(null)) || value == null
                        || !value.isString()) {
                    throw RowProblem.of(row, field + "[" + i + "]", "only text parts ({\"type\": \"text\", \"text\": ...}) "
                            + "can be imported into a text project");
                }
                text.append(value.asString());
            }
            return text.toString();
        }
        throw RowProblem.of(row, field, "must be a string or a list of text parts");
    }

    private static String completion(int row, String field, List<Turn> turns) {
        if (turns.isEmpty()) {
            throw RowProblem.of(row, field, "has no message after the prompt's");
        }
        return turns.size() == 1 ? turns.get(0).content() : lines(turns);
    }

    private static String lines(List<Turn> turns) {
        return turns.stream().map(Turn::line).collect(Collectors.joining("\n"));
    }
}
