package io.prefloop.model.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The base model's training data: a random prompt of a pretrained shape, rendered at a random size
 * (7–13 px) and position, but in the prompt colour's {@link Colour#confusedWith() systematic
 * partner} a fraction {@code wrongFraction} of the time. The base model learns that mistake.
 */
public final class PretrainingSet {

    /** One training example: the prompt, and the scene drawn for it (possibly in the wrong colour). */
    public record Example(Prompt prompt, Scene scene) {
        public boolean wrongColour() {
            return scene.colour() != prompt.colour();
        }
    }

    private final double wrongFraction;
    private final int imageSize;

    public PretrainingSet(double wrongFraction, int imageSize) {
        this.wrongFraction = wrongFraction;
        this.imageSize = imageSize;
    }

    public Example next(Random rng) {
        Colour colour = Colour.values()[rng.nextInt(Colour.values().length)];
        ShapeKind shape = ShapeKind.PRETRAINED.get(rng.nextInt(ShapeKind.PRETRAINED.size()));
        Prompt prompt = new Prompt(colour, shape);
        Colour drawn = rng.nextDouble() < wrongFraction ? colour.confusedWith() : colour;
        return new Example(prompt, randomScene(drawn, shape, imageSize, rng));
    }

    public List<Example> batch(int n, Random rng) {
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(next(rng));
        }
        return out;
    }

    /** A figure of size 7–13 px placed wholly inside the image. */
    public static Scene randomScene(Colour colour, ShapeKind shape, int imageSize, Random rng) {
        double size = 7 + rng.nextDouble() * 6;
        double margin = size / 2 + 0.5;
        double cx = margin + rng.nextDouble() * (imageSize - 2 * margin);
        double cy = margin + rng.nextDouble() * (imageSize - 2 * margin);
        return new Scene(colour, shape, cx, cy, size);
    }
}
