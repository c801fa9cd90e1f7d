package io.prefloop.loop;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * A training job's steps as its {@code metrics} events recorded them: the loss, a quality ratio
 * against the frozen reference and, where the trainer records it, {@code grad_norm}. A value is
 * null where the step did not record it, and may be NaN or infinite where training diverged.
 *
 * <p>The ratio is 1 where the policy is as good as the reference and above 1 where it is worse:
 * for the diffusion methods {@code model_mse / ref_mse} (the policy's denoising error on the
 * batch's images over the reference's); for text DPO the chosen replies' negative log-likelihood
 * under the policy over that under the reference, from TRL's {@code logps/chosen} and
 * {@code rewards/chosen} = β·(log π − log π_ref). Both are per-step, training-batch versions of what
 * the gate's {@code quality_regression} measures on held-out data.
 *
 * @param ratio which ratio the steps carry, {@link Ratio#NONE} when the metrics allow none
 */
record TrainingCurve(String job, Ratio ratio, List<Step> steps) {

    /** One step; null where not recorded. */
    record Step(int step, Double loss, Double ratio, Double gradNorm) {}

    enum Ratio {
        MSE("mse ratio", "model_mse / ref_mse: the denoising error against the reference's"),
        NLL("nll ratio", "NLL of the chosen replies, policy / reference"),
        NONE("ratio", "no quality ratio in this method's metrics");

        final String name;
        final String description;

        Ratio(String name, String description) {
            this.name = name;
            this.description = description;
        }
    }

    boolean hasGradNorm() {
        return steps.stream().anyMatch(s -> s.gradNorm() != null);
    }

    /** The last recorded step, null when the job recorded none. */
    Step last() {
        return steps.isEmpty() ? null : steps.get(steps.size() - 1);
    }

    /** The last step's loss and ratio, as the round's line prints them ("" when no step was recorded). */
    String summary() {
        Step last = last();
        if (last == null) {
            return "";
        }
        String loss = last.loss() == null ? "–" : String.format(Locale.ROOT, "%.3g", last.loss());
        return "loss " + loss + (last.ratio() == null ? ""
                : String.format(Locale.ROOT, ", %s %.3f", ratio.name, last.ratio()));
    }

    /**
     * The job's steps from its events, in step order, the last event for a step winning (a resumed
     * job repeats the steps after its intermediate checkpoint). Events of other types are skipped.
     *
     * @param beta the job's β, needed for the text DPO ratio; null when unknown
     */
    static TrainingCurve of(String job, Double beta, List<JsonNode> events) {
        Map<Integer, JsonNode> byStep = new TreeMap<>();
        for (JsonNode event : events) {
            JsonNode data = event.get("data");
            if ("metrics".equals(event.path("type").asString("")) && data != null && data.isObject()
                    && data.path("step").isNumber()) {
                byStep.put(data.get("step").asInt(), data);
            }
        }
        Ratio ratio = Ratio.NONE;
        if (byStep.values().stream().anyMatch(d -> d.has("model_mse") && d.has("ref_mse"))) {
            ratio = Ratio.MSE;
        } else if (beta != null && beta > 0 && Double.isFinite(beta)
                && byStep.values().stream().anyMatch(d -> d.has("logps/chosen") && d.has("rewards/chosen"))) {
            ratio = Ratio.NLL;
        }
        List<Step> steps = new ArrayList<>();
        for (Map.Entry<Integer, JsonNode> e : byStep.entrySet()) {
            JsonNode d = e.getValue();
            Double value = switch (ratio) {
                case MSE -> divide(number(d, "model_mse"), number(d, "ref_mse"));
                case NLL -> {
                    Double policy = number(d, "logps/chosen");
                    Double reward = number(d, "rewards/chosen");
                    // log π_ref = log π − rewards/β; both are negative, and their ratio is the NLLs' ratio
                    yield policy == null || reward == null ? null : divide(policy, policy - reward / beta);
                }
                case NONE -> null;
            };
            // PPO and RLOO record TRL's loss/policy_avg, not a single loss
            Double loss = d.has("loss") ? number(d, "loss") : number(d, "loss/policy_avg");
            steps.add(new Step(e.getKey(), loss, value, number(d, "grad_norm")));
        }
        return new TrainingCurve(job, ratio, List.copyOf(steps));
    }

    /** Every event of the job, page by page ({@code after} is the previous page's {@code next_cursor}). */
    static List<JsonNode> events(Http trainer, String key, String job) {
        List<JsonNode> events = new ArrayList<>();
        String after = null;
        do {
            JsonNode page = trainer.get("/v1/jobs/" + job + "/events?limit=1000" + (after == null ? "" : "&after=" + after),
                    key);
            page.get("data").forEach(events::add);
            JsonNode next = page.get("next_cursor");
            after = page.path("has_more").asBoolean(false) && next != null && !next.isNull() ? next.asString() : null;
        } while (after != null);
        return events;
    }

    private static Double divide(Double a, Double b) {
        return a == null || b == null ? null : a / b;
    }

    /**
     * A metric's value: null when absent or JSON null; NaN and the infinities also when written as
     * strings (Jackson writes non-finite doubles as "NaN", "Infinity", "-Infinity").
     */
    static Double number(JsonNode data, String key) {
        JsonNode v = data.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isString()) {
            return switch (v.asString()) {
                case "NaN" -> Double.NaN;
                case "Infinity", "+Infinity", "inf", "+inf" -> Double.POSITIVE_INFINITY;
                case "-Infinity", "-inf" -> Double.NEGATIVE_INFINITY;
                default -> null;
            };
        }
        return null;
    }
}
