package io.prefloop.model.diffusion;

import io.prefloop.model.labeling.Choice;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A labelled pair. Only decisive pairs train preference losses: a tie is never a win for either
 * side (diffusers' Diffusion-DPO script keeps tied Pick-a-Pic pairs with image 0 as the winner; the
 * paper and Wallace et al.'s code drop them, as here).
 */
public record PreferencePair<T>(T a, T b, Choice choice) {

    /** Winner and loser of a decisive pair. */
    public record Ordered<T>(T winner, T loser) {}

    public Optional<Ordered<T>> ordered() {
        return switch (choice) {
            case A -> Optional.of(new Ordered<>(a, b));
            case B -> Optional.of(new Ordered<>(b, a));
            case TIE -> Optional.empty();
        };
    }

    /** The decisive pairs, winner first; ties are dropped. */
    public static <T> List<Ordered<T>> decisive(List<PreferencePair<T>> pairs) {
        List<Ordered<T>> out = new ArrayList<>();
        for (PreferencePair<T> p : pairs) {
            p.ordered().ifPresent(out::add);
        }
        return out;
    }
}
