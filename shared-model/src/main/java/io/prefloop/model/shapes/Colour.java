package io.prefloop.model.shapes;

import java.util.Locale;

/** The palette of the shapes world, and the colour each one is systematically mistaken for. */
public enum Colour {
    RED(220, 40, 40),
    GREEN(40, 180, 60),
    BLUE(50, 80, 220),
    YELLOW(230, 210, 40),
    PURPLE(150, 60, 190);

    /** The grey background, in 0–255. */
    public static final int[] BACKGROUND = {128, 128, 128};

    private final int r;
    private final int g;
    private final int b;

    Colour(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
    }

    /** RGB in [−1, 1]. */
    public float[] rgb() {
        return new float[] {r / 127.5f - 1, g / 127.5f - 1, b / 127.5f - 1};
    }

    public static float[] backgroundRgb() {
        return new float[] {BACKGROUND[0] / 127.5f - 1, BACKGROUND[1] / 127.5f - 1, BACKGROUND[2] / 127.5f - 1};
    }

    /**
     * The colour that pretraining data shows instead of this one when it is wrong: one fixed
     * partner per colour (a cycle red→purple→blue→green→yellow→red), so that the mistake is
     * systematic. Uniformly random wrong colours are washed out by classifier-free guidance, as an
     * earlier PyTorch prototype of this world measured (docs/diffusion.md, "An earlier PyTorch
     * prototype"); a fixed confusion keeps a real second mode in p(x | "red ...").
     */
    public Colour confusedWith() {
        return switch (this) {
            case RED -> PURPLE;
            case PURPLE -> BLUE;
            case BLUE -> GREEN;
            case GREEN -> YELLOW;
            case YELLOW -> RED;
        };
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
