package io.prefloop.model.shapes;

/**
 * What the oracle reads from an image for a prompt.
 *
 * @param colour majority colour of the figure, null when there is no figure
 * @param shape best-matching figure, null when none overlaps a template by at least half
 * @param aligned colour and shape both as the prompt asks
 * @param colourPurity fraction of figure pixels nearest to the prompt's colour
 * @param shapeIoU best intersection-over-union of the figure with a template of the prompt's shape
 * @param score graded: aligned (1 or 0) + ½·colourPurity + ½·shapeIoU, in [0, 2]
 */
public record Judgment(Colour colour, ShapeKind shape, boolean aligned, double colourPurity, double shapeIoU,
        double score) {}
