package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Word-level tokens from a fixed vocabulary (stored in the architecture spec). Words are lowercase
 * letter runs; index 0 is padding, 1 an unknown word. Prompts longer than {@code maxTokens} words
 * are cut.
 */
public final class PromptTokenizer {

    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";

    private final Map<String, Integer> ids = new HashMap<>();
    private final int maxTokens;

    /** @param vocabulary words, starting with {@link #PAD} and {@link #UNK} */
    public PromptTokenizer(List<String> vocabulary, int maxTokens) {
        if (vocabulary.size() < 2 || !vocabulary.get(0).equals(PAD) || !vocabulary.get(1).equals(UNK)) {
            throw new IllegalArgumentException("vocabulary must start with " + PAD + ", " + UNK);
        }
        for (int i = 0; i < vocabulary.size(); i++) {
            ids.put(vocabulary.get(i), i);
        }
        this.maxTokens = maxTokens;
    }

    public int[] encode(String prompt) {
        int[] out = new int[maxTokens];
        int i = 0;
        for (String word : prompt.toLowerCase(Locale.ROOT).split("[^a-z0-9<>]+")) {
            if (!word.isEmpty() && i < maxTokens) {
                out[i++] = ids.getOrDefault(word, 1);
            }
        }
        return out;
    }

    /** (N, maxTokens) int32. */
    public NDArray encode(NDManager manager, List<String> prompts) {
        int[] flat = new int[prompts.size() * maxTokens];
        for (int i = 0; i < prompts.size(); i++) {
            System.arraycopy(encode(prompts.get(i)), 0, flat, i * maxTokens, maxTokens);
        }
        return manager.create(flat, new Shape(prompts.size(), maxTokens));
    }
}
