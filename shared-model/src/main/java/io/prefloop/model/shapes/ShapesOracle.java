package io.prefloop.model.shapes;

/**
 * Reads colour and shape from the pixels of a (3, H, W) image in [−1, 1]:
 * <ul>
 *   <li>figure pixels: RGB distance from the background grey above a threshold;</li>
 *   <li>colour: majority over figure pixels of the nearest palette colour;</li>
 *   <li>shape: the best intersection-over-union of the figure mask with a bank of templates
 *       (every shape, sizes 5–15 px, centres within 1.5 px of the figure's bounding-box centre),
 *       "none" below 0.5.</li>
 * </ul>
 * The yes/no alignment alone makes most paired comparisons ties, so it also gives a graded score
 * (see {@link Judgment}) that ranks near misses.
 */
public final class ShapesOracle {

    private static final double FIGURE_DISTANCE = 0.35; // in [−1, 1] RGB units; colours are ≥ 0.9 away
    private static final int MIN_PIXELS = 4;
    private static final double MIN_IOU = 0.5;

    private final int size;

    public ShapesOracle(int imageSize) {
        this.size = imageSize;
    }

    public Judgment judge(float[] image, Prompt prompt) {
        int n = size * size;
        boolean[] mask = new boolean[n];
        int[] votes = new int[Colour.values().length];
        int count = 0;
        float[] bg = Colour.backgroundRgb();
        int minX = size, minY = size, maxX = -1, maxY = -1;
        for (int p = 0; p < n; p++) {
            float r = image[p], g = image[n + p], b = image[2 * n + p];
            double d = Math.sqrt(sq(r - bg[0]) + sq(g - bg[1]) + sq(b - bg[2]));
            if (d < FIGURE_DISTANCE) {
                continue;
            }
            mask[p] = true;
            count++;
            votes[nearest(r, g, b).ordinal()]++;
            int x = p % size, y = p / size;
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
        }
        if (count < MIN_PIXELS) {
            return new Judgment(null, null, false, 0, 0, 0);
        }
        Colour colour = Colour.values()[argmax(votes)];
        double purity = votes[prompt.colour().ordinal()] / (double) count;
        double cx = (minX + maxX + 1) / 2.0;
        double cy = (minY + maxY + 1) / 2.0;
        ShapeKind best = null;
        double bestIoU = 0;
        double promptIoU = 0;
        for (ShapeKind s : ShapeKind.values()) {
            double iou = bestIoU(mask, s, cx, cy);
            if (iou > bestIoU) {
                bestIoU = iou;
                best = s;
            }
            if (s == prompt.shape()) {
                promptIoU = iou;
            }
        }
        ShapeKind shape = bestIoU >= MIN_IOU ? best : null;
        boolean aligned = colour == prompt.colour() && shape == prompt.shape();
        double score = (aligned ? 1 : 0) + 0.5 * purity + 0.5 * promptIoU;
        return new Judgment(colour, shape, aligned, purity, promptIoU, score);
    }

    private double bestIoU(boolean[] mask, ShapeKind s, double cx, double cy) {
        double best = 0;
        for (double fs = 5; fs <= 15; fs += 1) {
            for (double ox = -1.5; ox <= 1.5; ox += 0.5) {
                for (double oy = -1.5; oy <= 1.5; oy += 0.5) {
                    best = Math.max(best, iou(mask, s, cx + ox, cy + oy, fs));
                }
            }
        }
        return best;
    }

    private double iou(boolean[] mask, ShapeKind s, double cx, double cy, double fs) {
        int inter = 0, union = 0;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean t = s.covers(x + 0.5 - cx, y + 0.5 - cy, fs);
                boolean m = mask[y * size + x];
                if (t && m) {
                    inter++;
                }
                if (t || m) {
                    union++;
                }
            }
        }
        return union == 0 ? 0 : inter / (double) union;
    }

    static Colour nearest(float r, float g, float b) {
        Colour best = null;
        double bestD = Double.MAX_VALUE;
        for (Colour c : Colour.values()) {
            float[] rgb = c.rgb();
            double d = sq(r - rgb[0]) + sq(g - rgb[1]) + sq(b - rgb[2]);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    private static int argmax(int[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double sq(double x) {
        return x * x;
    }
}
