package io.prefloop.model.shapes;

import java.util.List;
import java.util.Locale;

/** The figures of the shapes world; {@link #RING} never appears in pretraining (personalisation). */
public enum ShapeKind {
    CIRCLE, SQUARE, TRIANGLE, RING;

    /** The shapes of the pretraining data. */
    public static final List<ShapeKind> PRETRAINED = List.of(CIRCLE, SQUARE, TRIANGLE);

    /**
     * Whether the point (dx, dy) pixels from the centre lies inside a figure of size {@code size}
     * (diameter, side, or height and base of the upward triangle).
     */
    public boolean covers(double dx, double dy, double size) {
        double h = size / 2;
        return switch (this) {
            case CIRCLE -> dx * dx + dy * dy <= h * h;
            case SQUARE -> Math.abs(dx) <= h && Math.abs(dy) <= h;
            case TRIANGLE -> Math.abs(dy) <= h && Math.abs(dx) <= (dy + h) / 2;
            case RING -> {
                double r2 = dx * dx + dy * dy;
                double inner = h - Math.max(1.6, size * 0.22);
                yield r2 <= h * h && r2 >= inner * inner;
            }
        };
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
