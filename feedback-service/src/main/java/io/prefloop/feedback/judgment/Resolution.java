package io.prefloop.feedback.judgment;

/**
 * How a pair's votes decide it: the plurality choice wins; when two choices share the most
 * votes the outcome is {@code split}, which trainers drop like a tie (Wallace et al. drop split
 * decisions too). Agreement is the share of votes that went to the most chosen option.
 */
public record Resolution(String outcome, double agreement) {

    public static Resolution of(int a, int b, int tie, int bothBad) {
        int[] votes = {a, b, tie, bothBad};
        String[] names = {"a", "b", "tie", "both_bad"};
        int total = a + b + tie + bothBad;
        if (total == 0) {
            throw new IllegalArgumentException("A pair without votes cannot be resolved");
        }
        int best = 0;
        boolean shared = false;
        for (int i = 1; i < votes.length; i++) {
            if (votes[i] > votes[best]) {
                best = i;
                shared = false;
            } else if (votes[i] == votes[best]) {
                shared = true;
            }
        }
        return new Resolution(shared ? "split" : names[best], (double) votes[best] / total);
    }
}
