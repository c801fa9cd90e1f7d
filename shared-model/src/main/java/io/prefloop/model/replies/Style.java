package io.prefloop.model.replies;

/** How a reply is phrased. Every style carries the same answer. */
public enum Style {
    /** A full sentence: "Grass is green." */
    FORMAL,
    /** Chatty: "green, obviously!" or "hmm, green i guess" */
    CASUAL,
    /** The bare answer: "green." */
    TERSE
}
