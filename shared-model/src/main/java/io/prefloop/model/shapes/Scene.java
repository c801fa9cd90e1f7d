package io.prefloop.model.shapes;

/** One coloured figure centred at (cx, cy) pixels, of the given size in pixels. */
public record Scene(Colour colour, ShapeKind shape, double cx, double cy, double size) {}
