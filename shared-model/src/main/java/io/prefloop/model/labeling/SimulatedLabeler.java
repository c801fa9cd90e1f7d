package io.prefloop.model.labeling;

import java.util.Random;

/**
 * A labeler who prefers the candidate its oracle scores higher, but picks the other one with
 * probability {@code noiseRate} (the label noise of the experiments). Equal scores are a tie; a
 * tie is never flipped.
 */
public final class SimulatedLabeler {

    private final double noiseRate;
    private final Random random;

    public SimulatedLabeler(double noiseRate, long seed) {
        if (!(noiseRate >= 0 && noiseRate <= 0.5)) {
            throw new IllegalArgumentException("noise rate must be in [0, 0.5]");
        }
        this.noiseRate = noiseRate;
        this.random = new Random(seed);
    }

    public Choice judge(double scoreA, double scoreB) {
        if (scoreA == scoreB) {
            return Choice.TIE;
        }
        boolean truth = scoreA > scoreB;
        boolean flipped = random.nextDouble() < noiseRate;
        return truth != flipped ? Choice.A : Choice.B;
    }
}
