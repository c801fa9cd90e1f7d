package io.prefloop.loop;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The training half of a round for the methods that learn from a reward model (PPO, RLOO, DDPO,
 * DPOK), as InstructGPT's stages 2 and 3: a {@code reward_model} job on every comparison of the
 * project so far (from the previous round's reward model; in round 1 a text reward model starts from
 * the served language model's transformer, {@code init_from}), its checkpoint promoted, then
 * the method's job from the served policy against that checkpoint. The policy's checkpoint is
 * promoted when its {@code quality_regression} is at most the loop's {@code --max-regression}, the
 * gate the online policies apply to the preference methods. (Online policies fire on a count of
 * comparisons and cannot yet chain a reward model's job before the method's, so the loop drives
 * both jobs and applies the gate itself.)
 */
final class RewardModelRound {

    /**
     * @param job the method's job as it finished; {@code rlMetrics} its checkpoint's held-out reward
     *     and KL metrics (empty when it published nothing)
     */
    record Outcome(JsonNode job, boolean promoted, String verdict, String rewardModel, Map<String, Double> rlMetrics) {}

    private final Http trainer;
    private final LoopOptions options;
    private final LoopWorld world;
    private final Progress progress;

    RewardModelRound(Http trainer, LoopOptions options, LoopWorld world, Progress progress) {
        this.trainer = trainer;
        this.options = options;
        this.world = world;
        this.progress = progress;
    }

    /** The reward model the loop trains, in the registry. */
    String rewardModelName() {
        return world.model() + "-loop-reward";
    }

    /** @param servedCheckpoint the policy's current checkpoint ("name/version"), the round's start */
    Outcome run(String project, int round, String servedCheckpoint) throws InterruptedException {
        String rewardModel = rewardModelName();
        Map<String, Object> rmSettings = new LinkedHashMap<>();
        rmSettings.put("heldout_fraction", 0.15);
        if (world.modality().equals("text")) {
            // round 1: from the served language model's transformer (InstructGPT); later rounds from the last reward model
            rmSettings.put("init_from", servedCheckpoint);
        }
        JsonNode rm = finished(submit("reward_model", rewardModel, project, round, rmSettings), "training the reward model");
        if (!rm.get("status").asString().equals("succeeded")) {
            return new Outcome(rm, false, "reward model " + rm.get("status").asString() + ": "
                    + rm.get("error").asString(""), null, Map.of());
        }
        String rmVersion = rm.get("result").get("version").asString();
        trainer.post("/v1/models/" + rewardModel + "/promote", options.adminKey(), Map.of("version", rmVersion,
                "reason", "closed loop round " + round + ": reward model for " + options.method()));
        String rewardRef = rewardModel + "/" + rmVersion;

        Map<String, Object> hyperparameters = new LinkedHashMap<>(options.methodHyperparameters());
        hyperparameters.put(world.rewardSetting(options.method()), rewardRef);
        hyperparameters.putIfAbsent("heldout_fraction", 0.15);
        JsonNode job = finished(submit(options.method(), world.model(), project, round, hyperparameters),
                "training " + options.method());
        if (!job.get("status").asString().equals("succeeded")) {
            return new Outcome(job, false, job.get("status").asString() + ": " + job.get("error").asString(""),
                    rewardRef, Map.of());
        }
        String version = job.get("result").get("version").asString();
        JsonNode metrics = checkpoint(world.model(), version).path("metrics");
        Map<String, Double> rl = new LinkedHashMap<>();
        metrics.properties().forEach(e -> {
            String k = e.getKey();
            if (e.getValue().isNumber() && (k.contains("score") || k.contains("reward") || k.contains("kl"))) {
                rl.put(k, e.getValue().asDouble());
            }
        });
        JsonNode regression = metrics.get("quality_regression");
        boolean pass = regression != null && regression.isNumber() && regression.asDouble() <= options.maxRegression();
        String reason = regression == null || !regression.isNumber() ? "no quality_regression recorded"
                : String.format(Locale.ROOT, "quality_regression = %.3f %s %s", regression.asDouble(),
                        pass ? "≤" : ">", options.maxRegression());
        if (pass) {
            trainer.post("/v1/models/" + world.model() + "/promote", options.adminKey(), Map.of("version", version,
                    "reason", "closed loop round " + round + ": " + options.method() + " against " + rewardRef + ", " + reason));
        }
        return new Outcome(job, pass, (pass ? "promoted: " : "not promoted: ") + reason, rewardRef, rl);
    }

    private String submit(String method, String model, String project, int round, Map<String, Object> hyperparameters) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", method);
        body.put("model", model);
        body.put("project", project);
        body.put("seed", options.seed() * 1000 + round);
        body.put("hyperparameters", hyperparameters);
        return trainer.post("/v1/jobs", options.serviceKey(), body).get("id").asString();
    }

    private JsonNode checkpoint(String model, String version) {
        for (JsonNode c : trainer.get("/v1/models/" + model + "/checkpoints", options.adminKey())) {
            if (c.get("version").asString().equals(version)) {
                return c;
            }
        }
        throw new IllegalStateException("checkpoint " + model + "/" + version + " is not in the registry");
    }

    private JsonNode finished(String job, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(60));
        while (Instant.now().isBefore(deadline)) {
            JsonNode state = trainer.get("/v1/jobs/" + job, options.adminKey());
            JsonNode p = state.get("progress");
            progress.show(what + " (" + state.get("status").asString() + ")", p.get("steps_done").asInt(),
                    p.get("steps_total").asInt());
            if (List.of("succeeded", "failed", "cancelled").contains(state.get("status").asString())) {
                progress.clear();
                return state;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("gave up " + what + " (job " + job + ") after 60 min");
    }
}
