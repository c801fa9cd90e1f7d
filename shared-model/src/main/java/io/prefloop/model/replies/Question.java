package io.prefloop.model.replies;

/**
 * One fact the world asks about.
 *
 * @param kind which question template
 * @param subject as it appears inside a sentence, e.g. "the sky"
 * @param answer the one correct answer word
 */
public record Question(Kind kind, String subject, String answer) {

    public enum Kind {
        COLOUR("What colour is %s?", "%s is %s."),
        LEGS("How many legs does %s have?", "%s has %s legs."),
        SOUND("What does %s say?", "%s says %s.");

        final String question;
        final String formal;

        Kind(String question, String formal) {
            this.question = question;
            this.formal = formal;
        }
    }

    /** The prompt a model sees: "Q: What colour is grass?\nA:" */
    public String prompt() {
        return "Q: " + String.format(kind.question, subject) + "\nA:";
    }

    /** The formal reply with a given answer word (the completion starts with a space). */
    String formal(String answerWord) {
        String sentence = String.format(kind.formal, subject, answerWord);
        return " " + Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
    }
}
