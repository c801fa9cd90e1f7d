package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.diffusion.PromptTokenizer;
import io.prefloop.trainer.feedback.Comparison;
import io.prefloop.trainer.feedback.FeedbackClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Image comparisons held in memory as pixels: each pair's winner and loser (for a tie, sides a and b) (3·size·size floats in
 * [−1, 1]) and its prompt's tokens, so that any minibatch is built without touching the network.
 * Images are fetched once per SHA-256 from the feedback-service.
 */
final class ImagePairs {

    private final List<float[]> winners = new ArrayList<>();
    private final List<float[]> losers = new ArrayList<>();
    private final List<int[]> tokens = new ArrayList<>();
    private final int size;

    private ImagePairs(int size) {
        this.size = size;
    }

    static ImagePairs fetch(FeedbackClient feedback, List<Comparison> comparisons, int size, PromptTokenizer tokenizer,
            Map<String, float[]> cache) {
        ImagePairs pairs = new ImagePairs(size);
        try (NDManager m = NDManager.newBaseManager()) {
            for (Comparison c : comparisons) {
                pairs.winners.add(pixels(feedback, c.first().imageSha256(), size, cache, m));
                pairs.losers.add(pixels(feedback, c.second().imageSha256(), size, cache, m));
                pairs.tokens.add(tokenizer == null ? new int[0] : tokenizer.encode(c.prompt()));
            }
        }
        return pairs;
    }

    static boolean usable(Comparison c) {
        return c.first().imageSha256() != null && c.second().imageSha256() != null;
    }

    private static float[] pixels(FeedbackClient feedback, String sha, int size, Map<String, float[]> cache, NDManager m) {
        return cache.computeIfAbsent(sha, s -> ImagePng.decode(m, List.of(feedback.image(s)), size).toFloatArray());
    }

    int size() {
        return winners.size();
    }

    /** Rows {@code rows} as (winners, losers, tokens) arrays in {@code m}. */
    NDArray[] batch(NDManager m, int[] rows) {
        int pixels = 3 * size * size;
        float[] w = new float[rows.length * pixels];
        float[] l = new float[rows.length * pixels];
        int length = tokens.get(0).length;
        int[] t = new int[rows.length * length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(winners.get(rows[i]), 0, w, i * pixels, pixels);
            System.arraycopy(losers.get(rows[i]), 0, l, i * pixels, pixels);
            System.arraycopy(tokens.get(rows[i]), 0, t, i * length, length);
        }
        Shape images = new Shape(rows.length, 3, size, size);
        return new NDArray[] {m.create(w, images), m.create(l, images), m.create(t, new Shape(rows.length, length))};
    }

    static Map<String, float[]> newCache() {
        return new HashMap<>();
    }
}
