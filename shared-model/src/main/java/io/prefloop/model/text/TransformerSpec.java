package io.prefloop.model.text;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sizes of a causal transformer; stored as the architecture spec in a checkpoint's manifest, so a
 * reader can rebuild the block before loading its tensors.
 *
 * @param vocabSize number of token ids
 * @param maxLength longest sequence (learned positions)
 * @param dModel width of the residual stream
 * @param heads attention heads (must divide dModel)
 * @param layers transformer layers
 * @param ffHidden hidden width of each feed-forward block
 */
public record TransformerSpec(int vocabSize, int maxLength, int dModel, int heads, int layers, int ffHidden) {

    public TransformerSpec {
        if (vocabSize < 2 || maxLength < 2 || dModel < 1 || heads < 1 || layers < 1 || ffHidden < 1) {
            throw new IllegalArgumentException("every size must be positive: " + sizes(vocabSize, maxLength, dModel, heads, layers, ffHidden));
        }
        if (dModel % heads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must divide d_model (" + dModel + ")");
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", "causal_transformer");
        map.putAll(sizes(vocabSize, maxLength, dModel, heads, layers, ffHidden));
        return map;
    }

    public static TransformerSpec fromMap(Map<String, ?> map) {
        return new TransformerSpec(
                intValue(map, "vocab_size"),
                intValue(map, "max_length"),
                intValue(map, "d_model"),
                intValue(map, "heads"),
                intValue(map, "layers"),
                intValue(map, "ff_hidden"));
    }

    private static Map<String, Object> sizes(int vocabSize, int maxLength, int dModel, int heads, int layers, int ffHidden) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("vocab_size", vocabSize);
        map.put("max_length", maxLength);
        map.put("d_model", dModel);
        map.put("heads", heads);
        map.put("layers", layers);
        map.put("ff_hidden", ffHidden);
        return map;
    }

    private static int intValue(Map<String, ?> map, String key) {
        Object value = map.get(key);
        if (!(value instanceof Number number)) {
            throw new IllegalArgumentException("architecture spec lacks a number for " + key);
        }
        return number.intValue();
    }
}
