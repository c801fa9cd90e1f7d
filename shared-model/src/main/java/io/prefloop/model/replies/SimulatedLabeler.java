package io.prefloop.model.replies;

import java.util.Random;

/**
 * A labeler who prefers the reply the oracle scores higher, but picks the other one with
 * probability {@code noiseRate} (the label noise of the experiments). Equal scores are a tie; a
 * tie is never flipped.
 */
public final class SimulatedLabeler {

    private final ReplyOracle oracle;
    private final double noiseRate;
    private final Random random;

    public SimulatedLabeler(ReplyOracle oracle, double noiseRate, long seed) {
        if (!(noiseRate >= 0 && noiseRate <= 0.5)) {
            throw new IllegalArgumentException("noise rate must be in [0, 0.5]");
        }
        this.oracle = oracle;
        this.noiseRate = noiseRate;
        this.random = new Random(seed);
    }

    public Verdict judge(String prompt, String a, boolean aFinished, String b, boolean bFinished) {
        double sa = oracle.score(oracle.judge(prompt, a, aFinished));
        double sb = oracle.score(oracle.judge(prompt, b, bFinished));
        if (sa == sb) {
            return Verdict.TIE;
        }
        boolean truth = sa > sb;
        boolean flipped = random.nextDouble() < noiseRate;
        return truth != flipped ? Verdict.A : Verdict.B;
    }

    public Verdict judge(String prompt, String a, String b) {
        return judge(prompt, a, true, b, true);
    }
}
