package io.prefloop.model.labeling;

/** What a judgment (or a majority of them) says about a pair (a, b): which of a and b is better. */
public enum Choice {
    A, B, TIE
}
