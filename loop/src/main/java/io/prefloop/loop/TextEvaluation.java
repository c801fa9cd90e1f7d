package io.prefloop.loop;

import io.prefloop.model.replies.ReplyJudgement;
import io.prefloop.model.replies.ReplyOracle;
import io.prefloop.model.replies.ReplyStats;
import io.prefloop.model.replies.RepliesWorld;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The replies world's evaluation: completions of every question (training and held-out) through the
 * inference-service with the same seeds for every checkpoint, judged by the reply oracle — the rate
 * of well-formed replies in the preferred style, and graded scores for win rates.
 */
final class TextEvaluation {

    private static final int SAMPLES_PER_PROMPT = 2;

    Evaluation run(Http inference, LoopOptions options, String model, RepliesWorld world, ReplyOracle oracle,
            Runnable afterEachPrompt) {
        ReplyStats.Counter all = new ReplyStats.Counter(oracle.preferred());
        ReplyStats.Counter heldOut = new ReplyStats.Counter(oracle.preferred());
        List<Double> scores = new ArrayList<>();
        Map<String, List<Evaluation.Shown>> samples = new LinkedHashMap<>();
        ImageEvaluation.Checkpoints checkpoint = new ImageEvaluation.Checkpoints();
        List<String> heldOutPrompts = world.heldOutQuestions().stream().map(q -> q.prompt()).toList();
        for (int p = 0; p < world.questions().size(); p++) {
            String prompt = world.questions().get(p).prompt();
            JsonNode response = inference.post("/v1/completions", options.serviceKey(), Map.of("model", model,
                    "prompt", prompt, "n", options.evalSamples(), "max_tokens", RepliesLoopWorld.MAX_TOKENS,
                    "temperature", 1.0, "seed", 1_000_000L + 1000L * p));
            checkpoint.saw(response.get("checkpoint").asString());
            List<Evaluation.Shown> shown = new ArrayList<>();
            for (JsonNode choice : response.get("choices")) {
                String text = choice.get("text").asString();
                ReplyJudgement j = oracle.judge(prompt, text, "stop".equals(choice.get("finish_reason").asString()));
                all.add(j);
                if (heldOutPrompts.contains(prompt)) {
                    heldOut.add(j);
                }
                scores.add(oracle.score(j));
                if (shown.size() < SAMPLES_PER_PROMPT) {
                    shown.add(new Evaluation.Shown(null, text));
                }
            }
            samples.put(prompt, shown);
            afterEachPrompt.run();
        }
        ReplyStats stats = all.stats();
        String detail = String.format(Locale.ROOT, "well-formed %.2f, correct %.2f, held-out questions %.2f",
                stats.wellFormedRate(), stats.correctRate(), heldOut.stats().preferredRate());
        return new Evaluation(checkpoint.only(), stats.preferredRate(), scores, detail, samples);
    }
}
