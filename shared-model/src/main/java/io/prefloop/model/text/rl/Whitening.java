package io.prefloop.model.text.rl;

/**
 * TRL's {@code masked_whiten}: (x − mean) / sqrt(var + 1e-8) over every completion token of the
 * batch, with the unbiased (Bessel-corrected) variance. Rows are ragged: each holds only its
 * completion's tokens, so there is no mask.
 */
public final class Whitening {

    private static final double EPSILON = 1e-8;

    private Whitening() {}

    /** @param shiftMean false adds the mean back (TRL's whiten_rewards keeps the rewards' mean) */
    public static float[][] whiten(float[][] rows, boolean shiftMean) {
        double sum = 0;
        long n = 0;
        for (float[] row : rows) {
            for (float v : row) {
                sum += v;
                n++;
            }
        }
        if (n < 2) {
            throw new IllegalArgumentException("whitening needs at least two tokens, got " + n);
        }
        double mean = sum / n;
        double squares = 0;
        for (float[] row : rows) {
            for (float v : row) {
                squares += (v - mean) * (v - mean);
            }
        }
        double scale = 1 / Math.sqrt(squares / (n - 1) + EPSILON);
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = new float[rows[r].length];
            for (int t = 0; t < rows[r].length; t++) {
                out[r][t] = (float) ((rows[r][t] - mean) * scale + (shiftMean ? 0 : mean));
            }
        }
        return out;
    }
}
