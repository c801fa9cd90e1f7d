package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.model.text.rl.KlPenalty;
import io.prefloop.model.text.rl.RewardFunction;
import io.prefloop.model.text.rl.RolloutSampler;
import io.prefloop.model.text.rl.Rollouts;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * After a PPO or RLOO job: {@value #SAMPLES} completions of each held-out prompt (at most
 * {@value #MAX_PROMPTS} prompts; the training prompts when none are held out) from the tuned model
 * and from the reference, with the same seeds. Metrics: the tuned model's mean score
 * ({@code objective/scores}), its KL to the reference ({@code objective/kl}, Σ over tokens), the
 * score gain over the reference's own completions ({@code score_gain}) and {@code ref_nll};
 * prefixed {@code heldout_} when on held-out prompts. {@code quality_regression}: how much less
 * likely, per token, the frozen reference finds the tuned model's completions than its own, relative
 * (0 when not less likely). It rises a little when the policy writes what the reward model prefers
 * and a lot when it drifts into text the reference would never write.
 */
final class RlEvaluation {

    static final int SAMPLES = 4;
    static final int MAX_PROMPTS = 64;

    private RlEvaluation() {}

    static Map<String, Object> evaluate(NDManager manager, TransformerLm policy, TransformerLm reference,
            RewardFunction reward, RolloutSampler.Sampling sampling, List<String> heldOut, List<String> training,
            long seed, JobContext context) {
        boolean onHeldOut = !heldOut.isEmpty();
        List<String> distinct = onHeldOut ? heldOut : training;
        List<String> prompts = new ArrayList<>();
        for (String p : distinct.subList(0, Math.min(MAX_PROMPTS, distinct.size()))) {
            for (int i = 0; i < SAMPLES; i++) {
                prompts.add(p);
            }
        }
        ByteTokenizer tokenizer = new ByteTokenizer();
        Rollouts tuned = new RolloutSampler(policy, null, reference, tokenizer, reward, sampling)
                .sample(manager, prompts, seed);
        Rollouts own = new RolloutSampler(reference, null, reference, tokenizer, reward, sampling)
                .sample(manager, prompts, seed);
        double tunedNll = refNll(tuned);
        double ownNll = refNll(own);
        double kl = 0;
        for (int i = 0; i < tuned.size(); i++) {
            kl += KlPenalty.sum(tuned.logProbs()[i], tuned.refLogProbs()[i]);
        }
        String prefix = onHeldOut ? "heldout_" : "";
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put(prefix + "objective/scores", mean(tuned.scores()));
        metrics.put(prefix + "objective/kl", kl / tuned.size());
        metrics.put(prefix + "score_gain", mean(tuned.scores()) - mean(own.scores()));
        metrics.put(prefix + "ref_nll", tunedNll);
        metrics.put("quality_regression", Math.max(0, (tunedNll - ownNll) / ownNll));
        metrics.put("quality_regression_on", onHeldOut ? "heldout" : "training");
        context.message((onHeldOut ? "Held out" : "Training prompts") + ": score " + Evaluation.round(mean(tuned.scores()))
                + " (reference " + Evaluation.round(mean(own.scores())) + "), KL " + Evaluation.round(kl / tuned.size())
                + " on " + prompts.size() + " completions of " + prompts.size() / SAMPLES + " prompts");
        return metrics;
    }

    private static double refNll(Rollouts rollouts) {
        double nll = 0;
        long tokens = 0;
        for (float[] row : rollouts.refLogProbs()) {
            for (float lp : row) {
                nll -= lp;
            }
            tokens += row.length;
        }
        return nll / Math.max(1, tokens);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
