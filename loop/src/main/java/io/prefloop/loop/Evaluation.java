package io.prefloop.loop;

import java.util.List;
import java.util.Map;

/**
 * One checkpoint's evaluation by the world's oracle: the rate of samples that do what the prompt
 * (or the labelers) ask for, every sample's graded score in a fixed order (so two evaluations pair
 * up sample by sample), a line of further numbers, and a few samples per prompt for the report.
 */
record Evaluation(String checkpoint, double alignment, List<Double> scores, String detail,
        Map<String, List<Shown>> samples) {

    /** A sample as the report shows it: an image (PNG) or a text. */
    record Shown(byte[] png, String text) {}

    /** The win rate of this evaluation's samples against another's on the same seeds. */
    WinRate against(Evaluation other) {
        int wins = 0;
        int losses = 0;
        int ties = 0;
        for (int i = 0; i < scores.size(); i++) {
            int c = Double.compare(scores.get(i), other.scores().get(i));
            if (c > 0) {
                wins++;
            } else if (c < 0) {
                losses++;
            } else {
                ties++;
            }
        }
        return new WinRate(wins, losses, ties);
    }

    /** Paired comparisons: ties counted half, or left out (decisive). */
    record WinRate(int wins, int losses, int ties) {
        double tiesHalf() {
            return (wins + 0.5 * ties) / (wins + losses + ties);
        }

        double decisive() {
            return wins + losses == 0 ? 0.5 : wins / (double) (wins + losses);
        }
    }
}
