package io.prefloop.model.replies;

import io.prefloop.model.labeling.Choice;
import io.prefloop.model.labeling.SimulatedLabeler;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Labelled reply pairs for reward-model training: two candidate replies to the same prompt, judged
 * by a simulated labeler, with the oracle's scores kept to measure accuracy against the truth.
 */
public final class ReplyPairs {

    /** A labelled pair; {@code scoreA} and {@code scoreB} are the oracle's, never seen by training. */
    public record LabeledPair(String prompt, String a, String b, Choice verdict, double scoreA, double scoreB) {

        /** Chosen first (a for a tie), as the labeler said. */
        public String chosen() {
            return verdict == Choice.B ? b : a;
        }

        public String rejected() {
            return verdict == Choice.B ? a : b;
        }

        /** Whether the oracle strictly prefers one reply; accuracy is measured on these. */
        public boolean decisive() {
            return scoreA != scoreB;
        }
    }

    private ReplyPairs() {}

    /**
     * A random candidate reply: malformed 20% of the time, otherwise in a uniformly drawn style with
     * the right answer 70% of the time.
     */
    public static String candidate(RepliesWorld world, Question q, Random random) {
        if (random.nextDouble() < 0.2) {
            return world.malformed(q, random);
        }
        Style style = Style.values()[random.nextInt(Style.values().length)];
        String answer = random.nextDouble() < 0.7 ? q.answer() : world.wrongAnswer(q, random);
        return world.reply(q, style, answer, random);
    }

    /** {@code n} pairs over the given questions, candidates drawn independently. */
    public static List<LabeledPair> sample(RepliesWorld world, ReplyOracle oracle, SimulatedLabeler labeler,
            List<Question> questions, int n, Random random) {
        List<LabeledPair> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Question q = questions.get(random.nextInt(questions.size()));
            String a = candidate(world, q, random);
            String b = candidate(world, q, random);
            out.add(new LabeledPair(q.prompt(), a, b, labeler.judge(oracle.score(q.prompt(), a), oracle.score(q.prompt(), b)),
                    oracle.score(q.prompt(), a), oracle.score(q.prompt(), b)));
        }
        return out;
    }
}
