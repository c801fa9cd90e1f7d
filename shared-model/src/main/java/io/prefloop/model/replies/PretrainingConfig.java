package io.prefloop.model.replies;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the replies world's base model is pretrained.
 *
 * @param formalShare share of pretraining replies in the formal style (the one labelers prefer)
 * @param casualShare share in the casual style; the rest are terse
 * @param wrongAnswerRate share of replies carrying a wrong answer, so that the base model errs sometimes
 */
public record PretrainingConfig(int steps, int batchSize, float learningRate, double formalShare, double casualShare,
        double wrongAnswerRate, long seed) {

    public PretrainingConfig {
        if (steps < 1 || batchSize < 1 || !(learningRate > 0)) {
            throw new IllegalArgumentException("steps, batch size and learning rate must be positive");
        }
        if (formalShare < 0 || casualShare < 0 || formalShare + casualShare > 1) {
            throw new IllegalArgumentException("style shares must be ≥ 0 and add up to at most 1");
        }
    }

    /** Formal 20%, casual 50%, terse 30%; 3% wrong answers; about 4–6 minutes on 2 CPU cores. */
    public static PretrainingConfig standard() {
        return new PretrainingConfig(1200, 32, 3e-3f, 0.2, 0.5, 0.03, 17);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("steps", steps);
        map.put("batch_size", batchSize);
        map.put("learning_rate", learningRate);
        map.put("formal_share", formalShare);
        map.put("casual_share", casualShare);
        map.put("wrong_answer_rate", wrongAnswerRate);
        map.put("seed", seed);
        return map;
    }
}
