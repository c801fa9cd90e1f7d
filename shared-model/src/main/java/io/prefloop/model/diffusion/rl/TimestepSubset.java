package io.prefloop.model.diffusion.rl;

import java.util.Random;

/**
 * Which denoising steps each trajectory trains on (ddpo-pytorch's timestep_fraction): every
 * trajectory gets its own random order of its {@code usable} steps and trains on the first
 * ⌊usable · fraction⌋ of them (at least one). Column j of the result is what ddpo-pytorch's inner
 * loop visits at its j-th timestep, so the rows of a minibatch are at different steps.
 */
public final class TimestepSubset {

    private TimestepSubset() {}

    /** @return (rows × count) step indices, each row distinct steps in [0, usable) */
    public static int[][] choose(Random rng, int rows, int usable, double fraction) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("timestep fraction must be in (0, 1], got " + fraction);
        }
        int count = Math.max(1, (int) (usable * fraction));
        int[][] out = new int[rows][count];
        for (int r = 0; r < rows; r++) {
            int[] order = new int[usable];
            for (int i = 0; i < usable; i++) {
                order[i] = i;
            }
            for (int i = usable - 1; i > 0; i--) { // Fisher–Yates
                int j = rng.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            System.arraycopy(order, 0, out[r], 0, count);
        }
        return out;
    }
}
