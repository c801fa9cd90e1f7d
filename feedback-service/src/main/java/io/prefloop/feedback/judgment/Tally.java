package io.prefloop.feedback.judgment;

/**
 * A pair's votes so far. Skips count in none of them: a skip hands the slot on without deciding
 * anything.
 */
public record Tally(int a, int b, int tie, int bothBad) {

    public Tally with(Choice choice) {
        return new Tally(a + (choice == Choice.A ? 1 : 0), b + (choice == Choice.B ? 1 : 0),
                tie + (choice == Choice.TIE ? 1 : 0), bothBad + (choice == Choice.BOTH_BAD ? 1 : 0));
    }

    public int total() {
        return a + b + tie + bothBad;
    }

    /** How the pair resolves once it has the votes it needs; null while it stays open. */
    public Resolution resolution(int judgmentsNeeded) {
        return total() >= judgmentsNeeded ? Resolution.of(a, b, tie, bothBad) : null;
    }
}
