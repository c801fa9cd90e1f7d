package io.prefloop.inference.proposal;

import java.util.ArrayList;
import java.util.List;

/**
 * Which of a proposal's candidates are paired. Candidates come in runs of {@code perPrompt}, one
 * run per prompt; within a run either disjoint pairs (2i with 2i + 1) or every two of them; none
 * when only the candidates are wanted.
 */
record PairingPlan(boolean allPairs, int perPrompt, boolean candidatesOnly) {

    /** Candidates {@code a} and {@code b} (indexes into the proposal's), and the pair's key within the proposal. */
    record Planned(int a, int b, String key) {}

    List<Planned> pairs(int candidates) {
        List<Planned> pairs = new ArrayList<>();
        if (candidatesOnly) {
            return pairs;
        }
        for (int start = 0; start < candidates; start += perPrompt) {
            for (int i = start; i < start + perPrompt; i++) {
                for (int j = i + 1; j < start + perPrompt; j++) {
                    if (!allPairs && (i % 2 != 0 || j != i + 1)) {
                        continue;
                    }
                    // the key of disjoint pair (2i, 2i+1) stays "p<2i>", as before all-pairs existed
                    pairs.add(new Planned(i, j, allPairs ? "p" + i + "-" + j : "p" + i));
                }
            }
        }
        return pairs;
    }
}
