package io.prefloop.model.text.rl;

import java.util.Map;

/**
 * TRL's {@code objective/*} metrics of a batch of rollouts: means over completions of the summed
 * per-token KL (k1), of −Σ log π (TRL's "entropy", a one-sample estimate), of −β·Σ KL, of the
 * score, and of score − β·Σ KL. Besides them {@code ref_nll}: the reference's negative
 * log-likelihood per completion token, −Σ log π_ref / tokens: how unlikely the frozen reference finds
 * what the policy writes (it rises slowly as the policy learns what the reward model prefers, and
 * fast when the policy drifts into text the reference would never write).
 */
final class RolloutObjective {

    private RolloutObjective() {}

    static void put(Map<String, Double> metrics, Rollouts rollouts, double beta) {
        int n = rollouts.size();
        double kl = 0;
        double entropy = 0;
        double scores = 0;
        int eos = 0;
        double refNll = 0;
        long tokens = 0;
        for (int i = 0; i < n; i++) {
            for (float lp : rollouts.refLogProbs()[i]) {
                refNll -= lp;
            }
            tokens += rollouts.refLogProbs()[i].length;
            kl += KlPenalty.sum(rollouts.logProbs()[i], rollouts.refLogProbs()[i]);
            for (float lp : rollouts.logProbs()[i]) {
                entropy -= lp;
            }
            scores += rollouts.scores()[i];
            eos += rollouts.generations().get(i).finished() ? 1 : 0;
        }
        metrics.put("objective/kl", kl / n);
        metrics.put("objective/entropy", entropy / n);
        metrics.put("objective/non_score_reward", -beta * kl / n);
        metrics.put("objective/rlhf_reward", (scores - beta * kl) / n);
        metrics.put("objective/scores", scores / n);
        metrics.put("objective/kl_coef", beta);
        metrics.put("val/num_eos_tokens", (double) eos);
        metrics.put("ref_nll", refNll / tokens);
    }
}
