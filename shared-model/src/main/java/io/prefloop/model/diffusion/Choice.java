package io.prefloop.model.diffusion;

/** What a judgment (or a majority of them) says about a pair (a, b). */
public enum Choice {
    A, B, TIE
}
