package io.prefloop.model.text;

import java.util.Arrays;
import java.util.Random;

/** Picks the next token from one row of logits: greedy, or temperature plus top-p sampling. */
public final class TokenSampler {

    private TokenSampler() {}

    public static int sample(float[] logits, double temperature, double topP, Random random) {
        if (temperature == 0) {
            return argMax(logits);
        }
        double[] probs = softmax(logits, temperature);
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        // Keep the most probable tokens until their mass reaches top_p (the token that crosses it
        // stays, so at least one token is always kept), as HF's TopPLogitsWarper does.
        int kept = 0;
        double mass = 0;
        while (kept < order.length && (kept == 0 || mass < topP)) {
            mass += probs[order[kept]];
            kept++;
        }
        double u = random.nextDouble() * mass;
        double cumulative = 0;
        for (int i = 0; i < kept; i++) {
            cumulative += probs[order[i]];
            if (u < cumulative) {
                return order[i];
            }
        }
        return order[kept - 1];
    }

    static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / temperature);
        }
        double[] probs = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            probs[i] = Math.exp(logits[i] / temperature - max);
            total += probs[i];
        }
        for (int i = 0; i < probs.length; i++) {
            probs[i] /= total;
        }
        return probs;
    }

    static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
