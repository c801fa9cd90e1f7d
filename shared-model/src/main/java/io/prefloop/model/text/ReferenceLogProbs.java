package io.prefloop.model.text;

/**
 * Precomputed reference log-probabilities of one pair (TRL's {@code precompute_ref_log_probs},
 * columns {@code ref_chosen_logps} and {@code ref_rejected_logps}). Token counts are kept so that
 * the same numbers serve the summed and the length-normalised (IPO) losses.
 */
public record ReferenceLogProbs(double chosenSum, int chosenTokens, double rejectedSum, int rejectedTokens) {

    double chosen(boolean lengthNormalised) {
        return lengthNormalised ? chosenSum / Math.max(1, chosenTokens) : chosenSum;
    }

    double rejected(boolean lengthNormalised) {
        return lengthNormalised ? rejectedSum / Math.max(1, rejectedTokens) : rejectedSum;
    }
}
