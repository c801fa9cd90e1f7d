package io.prefloop.loop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What the loop needs to know about a synthetic world: the model it tunes, the prompts, the
 * training method and its settings, how a simulated labeler answers a task and how the oracle
 * evaluates the served checkpoint. The loop itself only talks HTTP.
 */
interface LoopWorld {

    /** The model name in the registry, and the committed version the loop starts from. */
    String model();

    String baseVersion();

    /** The feedback project's modality (image or text) and the labelers' instructions. */
    String modality();

    String instructions();

    /** The prompts proposals are made for, each round. */
    List<String> prompts();

    /** The trainer's method, its hyperparameters and the held-out metric the gate reads. */
    String method();

    /** The method's own hyperparameters (β and the like). */
    Map<String, Object> methodHyperparameters(LoopOptions options);

    /** Everything the policy's jobs get: the loop's common settings and the method's own. */
    default Map<String, Object> hyperparameters(LoopOptions o) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("steps", o.steps());
        h.put("batch_size", o.batch());
        h.put("learning_rate", o.learningRate());
        h.put("heldout_fraction", 0.15);
        h.put("checkpoint_every", Math.max(10, o.steps() / 4));
        h.putAll(methodHyperparameters(o));
        return h;
    }

    String gateMetric();

    /** The hyperparameter that names the reward model for a method that learns from one (ppo: reward_model). */
    String rewardSetting(String method);

    /** Fields added to each proposal request (sampler settings). */
    Map<String, Object> proposalSettings(LoopOptions options);

    /** The index-th simulated labeler (each has its own random stream). */
    Labeler labeler(int index, LoopOptions options, Http feedback);

    /** What the evaluation's rate measures, for the printed lines ("alignment", "formal"). */
    String alignmentName();

    /** How many prompts an evaluation asks (for its progress bar). */
    int evaluationPrompts();

    /** The served checkpoint, evaluated by the oracle on the same seeds every time. */
    Evaluation evaluate(Http inference, LoopOptions options, Runnable afterEachPrompt);

    /** One simulated labeler: the {@code choice} value to post for a task (a side's, or "tie"). */
    interface Labeler {
        String answer(JsonNode task);

        /** The choice value of the task's left side (preferLeft), its right side, or "tie" (null). */
        static String choice(JsonNode task, Boolean preferLeft) {
            return preferLeft == null ? "tie" : task.get(preferLeft ? "left" : "right").get("choice").asString();
        }
    }

    static LoopWorld named(String world) {
        return switch (world) {
            case "shapes" -> new ShapesLoopWorld();
            case "replies" -> new RepliesLoopWorld();
            default -> throw new IllegalArgumentException("unknown world " + world);
        };
    }
}
