package io.prefloop.model.replies;

/** A labeler's answer to "which of a and b is better?" */
public enum Verdict {
    A, B, TIE
}
