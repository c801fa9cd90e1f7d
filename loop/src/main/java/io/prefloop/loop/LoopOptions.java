package io.prefloop.loop;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The loop's settings, from {@code --name value} arguments; defaults depend on the world (the ones
 * the measured runs of docs/loop.md used).
 *
 * @param world shapes (images, Diffusion-DPO) or replies (text, DPO)
 * @param groups groups of candidates proposed per prompt each round
 * @param groupSize candidates per group; every two of a group are compared (2: one pair per group)
 * @param steps training steps per round
 * @param beta β of the preference loss (Diffusion-DPO's, or DPO's)
 * @param evalSamples samples per prompt for the oracle's evaluation of each checkpoint (paired seeds)
 * @param keep keep the services running after the last round, for real labelers
 * @param gateMin the policy's gate on its held-out accuracy (0 by default: with few held-out prompts
 *     it is too noisy to gate on; it is recorded and printed)
 * @param maxRegression and quality_regression at most this
 * @param sftWeight shapes: Diffusion-DPO's denoising term on the preferred images (0 = plain)
 * @param rpoAlpha replies: the chosen replies' NLL term of DPO (TRL's rpo_alpha; 0 = plain)
 * @param method the trainer's method: the world's preference method (diffusion_dpo, dpo), or one that
 *     learns from a reward model trained on the comparisons each round (shapes: ddpo, dpok; replies:
 *     ppo, rloo)
 * @param methodSettings hyperparameters given to a reward-model method's job ({@code --hp key=value},
 *     repeatable; the trainer checks them), over the trainer's defaults
 */
record LoopOptions(String world, int rounds, int labelers, double noise, int groups, int groupSize, int steps, int batch,
        double learningRate, double beta, double cfgScale, int samplerSteps, int evalSamples, Path report,
        String feedbackUrl, String trainerUrl, String inferenceUrl, String adminKey, String serviceKey, boolean keep,
        long seed, double gateMin, double maxRegression, double sftWeight, double rpoAlpha, String method,
        Map<String, Object> methodSettings) {

    /** The methods each world's loop can run; the first is its default. */
    static final Map<String, java.util.List<String>> METHODS = Map.of(
            "shapes", java.util.List.of("diffusion_dpo", "ddpo", "dpok"),
            "replies", java.util.List.of("dpo", "ppo", "rloo"));

    private static final Map<String, Map<String, String>> DEFAULTS = Map.of(
            // two rounds at 1e-4: every round of 5 seeds promoted, final gain worst +16.3; a third round at
            // this rate lost ground in 4 of 5 seeds, and three at 5e-5 ended as low as +12.1 (docs/loop.md)
            "shapes", Map.ofEntries(Map.entry("rounds", "2"), Map.entry("groups", "6"), Map.entry("group-size", "4"),
                    Map.entry("steps", "150"), Map.entry("batch", "32"), Map.entry("lr", "1e-4"), Map.entry("beta", "500"),
                    Map.entry("eval-samples", "16"), Map.entry("max-regression", "0.1"), Map.entry("sft", "500"),
                    Map.entry("rpo-alpha", "0")),
            // DPO towards the formal style raises the NLL of held-out chosen replies in other styles by
            // design (0.6 measured); a collapse multiplies it (docs/language.md), so the gate is set at 1
            "replies", Map.ofEntries(Map.entry("rounds", "3"), Map.entry("groups", "8"), Map.entry("group-size", "2"), Map.entry("steps", "40"),
                    Map.entry("batch", "16"), Map.entry("lr", "3e-5"), Map.entry("beta", "0.5"),
                    Map.entry("eval-samples", "16"), Map.entry("max-regression", "1"), Map.entry("sft", "0"),
                    Map.entry("rpo-alpha", "2")));

    private static final Set<String> NAMES = Set.of("world", "rounds", "labelers", "noise", "pairs-per-prompt",
            "groups", "group-size", "steps",
            "batch", "lr", "beta", "cfg", "sampler-steps", "eval-samples", "eval-images", "report", "feedback",
            "trainer", "inference", "keep", "seed", "gate-min", "max-regression", "sft", "rpo-alpha", "method", "hp");

    static LoopOptions parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        Map<String, Object> hp = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i] + " (options are --name value)");
            }
            String name = args[i].substring(2);
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (see docs/loop.md)");
            }
            if (name.equals("keep")) {
                a.put(name, "true");
            } else if (name.equals("hp") && i + 1 < args.length) {
                String[] kv = args[++i].split("=", 2);
                if (kv.length != 2 || kv[0].isBlank()) {
                    throw new IllegalArgumentException("--hp " + args[i] + ": expected key=value");
                }
                hp.put(kv[0], hyperparameter(kv[1]));
            } else if (name.equals("pairs-per-prompt") && i + 1 < args.length) {
                a.put("groups", args[++i]); // that many disjoint pairs
                a.put("group-size", "2");
            } else if (i + 1 < args.length) {
                a.put(name.equals("eval-images") ? "eval-samples" : name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        }
        String world = a.getOrDefault("world", "shapes");
        Map<String, String> defaults = DEFAULTS.get(world);
        if (defaults == null) {
            throw new IllegalArgumentException("--world " + world + ": the worlds are shapes and replies");
        }
        defaults.forEach(a::putIfAbsent);
        LoopOptions o;
        try {
            o = new LoopOptions(world,
                    Integer.parseInt(a.get("rounds")),
                    Integer.parseInt(a.getOrDefault("labelers", "3")),
                    Double.parseDouble(a.getOrDefault("noise", "0.1")),
                    Integer.parseInt(a.get("groups")),
                    Integer.parseInt(a.get("group-size")),
                    Integer.parseInt(a.get("steps")),
                    Integer.parseInt(a.get("batch")),
                    Double.parseDouble(a.get("lr")),
                    Double.parseDouble(a.get("beta")),
                    Double.parseDouble(a.getOrDefault("cfg", "3")),
                    Integer.parseInt(a.getOrDefault("sampler-steps", "25")),
                    Integer.parseInt(a.get("eval-samples")),
                    Path.of(a.getOrDefault("report", "data/loop/report.html")),
                    a.getOrDefault("feedback", env("PREFLOOP_FEEDBACK_URL", "http://localhost:8081")),
                    a.getOrDefault("trainer", env("PREFLOOP_TRAINER_URL", "http://localhost:8082")),
                    a.getOrDefault("inference", env("PREFLOOP_INFERENCE_URL", "http://localhost:8083")),
                    env("PREFLOOP_ADMIN_KEY", "local-admin-key"), env("PREFLOOP_SERVICE_KEY", "local-service-key"),
                    a.containsKey("keep"), Long.parseLong(a.getOrDefault("seed", "1")),
                    Double.parseDouble(a.getOrDefault("gate-min", "0")),
                    Double.parseDouble(a.get("max-regression")),
                    Double.parseDouble(a.get("sft")),
                    Double.parseDouble(a.get("rpo-alpha")),
                    a.getOrDefault("method", METHODS.get(world).get(0)), Map.copyOf(hp));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + e.getMessage());
        }
        if (o.rounds() < 1 || o.labelers() < 1 || o.groups() < 1 || o.groups() > 64 || o.groupSize() < 2
                || o.groupSize() > 16 || o.steps() < 1 || o.batch() < 1 || o.evalSamples() < 1 || o.evalSamples() > 16
                || o.noise() < 0 || o.noise() >= 0.5) {
            throw new IllegalArgumentException("rounds, labelers, steps and batch must be positive, groups (and"
                    + " pairs-per-prompt) in 1..64, group-size in 2..16, eval-samples in 1..16, noise in [0, 0.5)");
        }
        if (!hp.isEmpty() && !o.usesRewardModel()) {
            throw new IllegalArgumentException("--hp applies to the methods that learn from a reward model (--method);"
                    + " " + o.method() + " takes --steps, --batch, --lr, --beta and the like");
        }
        if (!METHODS.get(world).contains(o.method())) {
            throw new IllegalArgumentException("--method " + o.method() + ": the " + world + " loop runs "
                    + String.join(", ", METHODS.get(world)));
        }
        for (double d : new double[] {o.learningRate(), o.beta(), o.cfgScale(), o.gateMin(), o.maxRegression(),
                o.sftWeight(), o.rpoAlpha()}) {
            if (!Double.isFinite(d) || d < 0) {
                throw new IllegalArgumentException("lr, beta, cfg, gate-min, max-regression, sft and rpo-alpha must be"
                        + " finite and not negative");
            }
        }
        return o;
    }

    /** Comparisons per prompt each round: every two candidates of each group. */
    int pairsPerPrompt() {
        return groups * groupSize * (groupSize - 1) / 2;
    }

    /** The same settings with other API keys (tests start services with their own). */
    LoopOptions withKeys(String admin, String service) {
        return new LoopOptions(world, rounds, labelers, noise, groups, groupSize, steps, batch, learningRate, beta, cfgScale,
                samplerSteps, evalSamples, report, feedbackUrl, trainerUrl, inferenceUrl, admin, service, keep, seed,
                gateMin, maxRegression, sftWeight, rpoAlpha, method, methodSettings);
    }

    /** Whether the method learns from a reward model (trained by the loop each round) rather than from the comparisons. */
    boolean usesRewardModel() {
        return !METHODS.get(world).get(0).equals(method);
    }

    /**
     * The hyperparameters the loop gives a reward-model method's job besides the reward model: those
     * of {@code --hp}; the trainer's defaults (chosen by the seed studies of docs/rl.md) for the rest.
     */
    Map<String, Object> methodHyperparameters() {
        return methodSettings;
    }

    /** An {@code --hp} value as JSON would carry it: a number, true or false, or else the text. */
    private static Object hyperparameter(String value) {
        if (value.equals("true") || value.equals("false")) {
            return Boolean.parseBoolean(value);
        }
        try {
            return value.matches("-?[0-9]+") ? (Object) Long.parseLong(value) : (Object) Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return value;
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
