package io.prefloop.model.diffusion.rl;

import java.util.Arrays;
import java.util.Random;

/** The row order of one pass over a sampled batch, cut into minibatches (ddpo-pytorch shuffles per inner epoch). */
final class PermutedRows {

    private PermutedRows() {}

    static int[][] minibatches(Random rng, int rows, int batch) {
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        for (int i = rows - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        int count = (rows + batch - 1) / batch;
        int[][] out = new int[count][];
        for (int b = 0; b < count; b++) {
            out[b] = Arrays.copyOfRange(order, b * batch, Math.min(rows, (b + 1) * batch));
        }
        return out;
    }

    /** Column j of each row's step subset. */
    static int[] column(int[][] subset, int[] rows, int j) {
        int[] steps = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            steps[i] = subset[rows[i]][j];
        }
        return steps;
    }
}
