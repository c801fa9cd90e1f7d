package io.prefloop.model.shapes;

/**
 * Draws a {@link Scene} on the grey background as a (3, H, W) float image in [−1, 1] (channel-major,
 * as the UNet takes it), anti-aliased by 4×4 supersampling per pixel.
 */
public final class ShapeRenderer {

    private static final int SUB = 4;

    private ShapeRenderer() {}

    public static float[] render(Scene scene, int size) {
        float[] out = new float[3 * size * size];
        float[] bg = Colour.backgroundRgb();
        float[] fg = scene.colour().rgb();
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                float a = coverage(scene.shape(), x - scene.cx(), y - scene.cy(), scene.size());
                for (int c = 0; c < 3; c++) {
                    out[c * size * size + y * size + x] = bg[c] * (1 - a) + fg[c] * a;
                }
            }
        }
        return out;
    }

    /** Fraction of pixel (x..x+1, y..y+1), given relative to the centre, inside the figure. */
    static float coverage(ShapeKind shape, double x, double y, double figureSize) {
        int inside = 0;
        for (int i = 0; i < SUB; i++) {
            for (int j = 0; j < SUB; j++) {
                if (shape.covers(x + (i + 0.5) / SUB, y + (j + 0.5) / SUB, figureSize)) {
                    inside++;
                }
            }
        }
        return inside / (float) (SUB * SUB);
    }
}
