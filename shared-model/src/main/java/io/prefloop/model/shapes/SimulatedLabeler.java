package io.prefloop.model.shapes;

import io.prefloop.model.diffusion.Choice;
import java.util.Random;

/**
 * A labeler who prefers the image with the higher oracle score and answers the opposite with
 * probability {@code noiseRate}; equal scores are a tie (never turned into a win).
 */
public final class SimulatedLabeler {

    private final double noiseRate;
    private final Random rng;

    public SimulatedLabeler(double noiseRate, long seed) {
        this.noiseRate = noiseRate;
        this.rng = new Random(seed);
    }

    public Choice judge(Judgment a, Judgment b) {
        if (a.score() == b.score()) {
            return Choice.TIE;
        }
        boolean aBetter = a.score() > b.score();
        if (rng.nextDouble() < noiseRate) {
            aBetter = !aBetter;
        }
        return aBetter ? Choice.A : Choice.B;
    }
}
