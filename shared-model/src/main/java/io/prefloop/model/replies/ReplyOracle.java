package io.prefloop.model.replies;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scores replies exactly. The graded score orders replies as the simulated labelers do:
 * malformed 0; well-formed 1, plus 2 in the preferred style, plus 1 when the answer is right. Style
 * outweighs correctness because that is the preference this world exists to teach.
 */
public final class ReplyOracle {

    private static final Pattern CASUAL_A = Pattern.compile(" ([a-z]+), obviously!");
    private static final Pattern CASUAL_B = Pattern.compile(" hmm, ([a-z]+) i guess");
    private static final Pattern TERSE = Pattern.compile(" ([a-z]+)\\.");

    private final RepliesWorld world;
    private final Style preferred;

    public ReplyOracle(RepliesWorld world, Style preferred) {
        this.world = world;
        this.preferred = preferred;
    }

    public Style preferred() {
        return preferred;
    }

    /** @param finished whether the model ended the reply itself (EOS); a cut-off reply is malformed */
    public ReplyJudgement judge(String prompt, String reply, boolean finished) {
        if (!finished) {
            return ReplyJudgement.malformed();
        }
        Question q = world.question(prompt);
        for (String answer : world.answers(q.kind())) {
            if (reply.equals(q.formal(answer))) {
                return new ReplyJudgement(true, Style.FORMAL, answer.equals(q.answer()));
            }
        }
        for (Pattern p : new Pattern[] {CASUAL_A, CASUAL_B, TERSE}) {
            Matcher m = p.matcher(reply);
            if (m.matches() && world.answers(q.kind()).contains(m.group(1))) {
                Style style = p == TERSE ? Style.TERSE : Style.CASUAL;
                return new ReplyJudgement(true, style, m.group(1).equals(q.answer()));
            }
        }
        return ReplyJudgement.malformed();
    }

    public ReplyJudgement judge(String prompt, String reply) {
        return judge(prompt, reply, true);
    }

    public double score(ReplyJudgement j) {
        if (!j.wellFormed()) {
            return 0;
        }
        return 1 + (j.style() == preferred ? 2 : 0) + (j.correct() ? 1 : 0);
    }

    public double score(String prompt, String reply) {
        return score(judge(prompt, reply));
    }
}
