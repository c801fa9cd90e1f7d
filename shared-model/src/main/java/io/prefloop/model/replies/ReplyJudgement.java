package io.prefloop.model.replies;

/**
 * What the oracle reads from a reply.
 *
 * @param wellFormed the reply is exactly one of the world's reply templates, with an answer of the
 *     right kind, and the model ended it (EOS)
 * @param style its style, or null when malformed
 * @param correct it carries the right answer (false when malformed)
 */
public record ReplyJudgement(boolean wellFormed, Style style, boolean correct) {

    static ReplyJudgement malformed() {
        return new ReplyJudgement(false, null, false);
    }
}
