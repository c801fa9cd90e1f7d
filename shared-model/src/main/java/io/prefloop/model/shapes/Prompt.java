package io.prefloop.model.shapes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** "a red circle": what a prompt asks for, and its words (the UNet vocabulary of this world). */
public record Prompt(Colour colour, ShapeKind shape) {

    /** Extra words a personalisation can bind to a new concept. */
    public static final List<String> SPARE_WORDS = List.of("sks", "zwx");

    public String text() {
        return "a " + colour.word() + " " + shape.word();
    }

    public static Prompt parse(String text) {
        Colour colour = null;
        ShapeKind shape = null;
        for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
            for (Colour c : Colour.values()) {
                if (c.word().equals(w)) {
                    colour = c;
                }
            }
            for (ShapeKind s : ShapeKind.values()) {
                if (s.word().equals(w)) {
                    shape = s;
                }
            }
        }
        if (colour == null || shape == null) {
            throw new IllegalArgumentException("not a shapes prompt: " + text);
        }
        return new Prompt(colour, shape);
    }

    /** Every prompt of the pretrained shapes. */
    public static List<Prompt> pretrained() {
        List<Prompt> out = new ArrayList<>();
        for (ShapeKind s : ShapeKind.PRETRAINED) {
            for (Colour c : Colour.values()) {
                out.add(new Prompt(c, s));
            }
        }
        return out;
    }

    /** {@code <pad>, <unk>, a, colours, shapes (ring included), spare words}. */
    public static List<String> vocabulary() {
        List<String> v = new ArrayList<>(List.of("<pad>", "<unk>", "a"));
        for (Colour c : Colour.values()) {
            v.add(c.word());
        }
        for (ShapeKind s : ShapeKind.values()) {
            v.add(s.word());
        }
        v.addAll(SPARE_WORDS);
        return v;
    }
}
