package io.prefloop.loop;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The platform's main job, through the real HTTP APIs of the three running services: each round
 * the inference-service proposes pairs from the served checkpoint for every prompt of the world,
 * simulated labelers judge them through the feedback-service's task API, the trainer's online
 * policy trains (Diffusion-DPO for the shapes world, DPO for the replies world) on exactly those
 * comparisons and promotes the result if it passes its gate, and the inference-service swaps it
 * in. After each round the served checkpoint is evaluated by the world's oracle on fixed seeds;
 * one line per round, an HTML report at the end. {@code ./prefloop loop} starts the services and
 * runs this.
 */
public final class ClosedLoop {

    /** What one proposal may sample (the inference-service's limit). */
    private static final int MAX_CANDIDATES_PER_PROPOSAL = 256;

    private final LoopOptions options;
    private final LoopWorld world;
    private final String model;
    private final PrintStream out;
    private final Progress progress;
    private final Http feedback;
    private final Http trainer;
    private final Http inference;

    ClosedLoop(LoopOptions options, PrintStream out) {
        this.options = options;
        this.world = LoopWorld.named(options.world());
        this.model = world.model();
        this.out = out;
        this.progress = new Progress(System.err);
        this.feedback = new Http(options.feedbackUrl());
        this.trainer = new Http(options.trainerUrl());
        this.inference = new Http(options.inferenceUrl());
    }

    public static void main(String[] args) throws Exception {
        LoopOptions options;
        try {
            options = LoopOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        List<LoopReport.Round> rounds;
        try {
            rounds = new ClosedLoop(options, System.out).run();
        } catch (Exception e) {
            System.err.println();
            System.err.println("The loop stopped: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (options.keep()) {
            System.out.println("The services keep running for real labelers (labeling page: " + options.feedbackUrl()
                    + "/label); Ctrl-C stops them.");
            Thread.currentThread().join();
        }
        System.exit(rounds.isEmpty() ? 1 : 0);
    }

    List<LoopReport.Round> run() throws Exception {
        Instant start = Instant.now();
        if (world.prompts().size() * options.groupSize() > MAX_CANDIDATES_PER_PROPOSAL || world.prompts().size() > 64) {
            throw new IllegalArgumentException("--group-size " + options.groupSize() + ": a group of every prompt ("
                    + world.prompts().size() + ") must fit one proposal of at most " + MAX_CANDIDATES_PER_PROPOSAL
                    + " candidates");
        }
        for (Http service : List.of(feedback, trainer, inference)) {
            await("waiting for " + service.base(), () -> service.ready(), Duration.ofMinutes(5));
        }
        String admin = options.adminKey();
        trainer.post("/v1/models/sync", admin, "{}");
        String baseVersion = currentVersion().orElseGet(() -> {
            trainer.post("/v1/models/" + model + "/promote", admin, Map.of("version", world.baseVersion(),
                    "reason", "the closed loop starts from the committed base"));
            return world.baseVersion();
        });
        String project = feedback.post("/v1/projects", admin, Map.of("name", "closed loop " + start,
                "modality", world.modality(), "judgments_per_pair", 1, "instructions", world.instructions()))
                .get("id").asString();
        List<String> labelers = new ArrayList<>();
        for (int i = 0; i < options.labelers(); i++) {
            labelers.add(feedback.post("/v1/labelers", admin, Map.of("name", "simulated labeler " + (i + 1) + " "
                    + start)).get("key").asString());
        }
        List<String> prompts = world.prompts();
        int pairsPerRound = prompts.size() * options.pairsPerPrompt();
        RewardModelRound rl = options.usesRewardModel() ? new RewardModelRound(trainer, options, world, progress) : null;
        Map<String, Object> campaignRequest = campaign(project, prompts, pairsPerRound);
        if (rl == null) {
            // the campaign's seed makes each round's training seed a function of --seed and the round's feed range
            campaignRequest.put("policy", Map.of("method", world.method(), "every_n", pairsPerRound,
                    "hyperparameters", world.hyperparameters(options), "gate", Map.of("metric", world.gateMetric(),
                            "min", options.gateMin(), "max_regression", options.maxRegression())));
        }
        JsonNode campaign = trainer.post("/v1/campaigns", admin, campaignRequest);
        String campaignId = campaign.get("id").asString();
        if (rl == null) {
            out.printf(Locale.ROOT, "project %s, campaign %s: %d pairs from each served checkpoint, %s every %d"
                    + " comparisons from %s/%s%n", project, campaignId, pairsPerRound, world.method(), pairsPerRound, model,
                    baseVersion);
        } else {
            out.printf(Locale.ROOT, "project %s, campaign %s: each round %d comparisons, a reward model (%s) on all of"
                    + " them, then %s from the served %s%n", project, campaignId, pairsPerRound, rl.rewardModelName(),
                    options.method(), model);
        }

        SimulatedLabelers judges = new SimulatedLabelers(feedback, labelers, world, options);
        List<LoopReport.Round> rounds = new ArrayList<>();
        Instant roundStart = Instant.now();
        awaitServed(model + "/" + baseVersion);
        Evaluation base = evaluate();
        rounds.add(new LoopReport.Round(0, 0, base.checkpoint(), true, "start", base.alignment(), null,
                seconds(roundStart), base, null));
        print(rounds.get(0), base.alignment());

        Set<String> seenJobs = new HashSet<>();
        int judgments = 0;
        boolean promotedLast = false;
        for (int round = 1; round <= options.rounds(); round++) {
            roundStart = Instant.now();
            String from = model + "/" + currentVersion().orElse(baseVersion);
            awaitPairs(campaignId, from, round == 1 || promotedLast ? pairsPerRound : 1);
            int[] done = {0};
            judgments += judges.judge(project, pairsPerRound, () -> progress.show("judging", ++done[0], pairsPerRound));
            JsonNode finished;
            String verdict;
            boolean promoted;
            if (rl == null) {
                finished = awaitTraining(awaitJob(seenJobs).get("id").asString());
                verdict = verdict(finished);
                promoted = promotion(finished) != null && promotion(finished).get("promoted").asBoolean();
            } else {
                RewardModelRound.Outcome outcome = rl.run(project, round, model + "/" + currentVersion().orElse(baseVersion));
                finished = outcome.job();
                verdict = outcome.verdict() + rewardAndKl(outcome.rlMetrics());
                promoted = outcome.promoted();
            }
            String jobId = finished.get("id").asString();
            TrainingCurve training = TrainingCurve.of(jobId, beta(finished),
                    TrainingCurve.events(trainer, options.adminKey(), jobId));
            String served = model + "/" + currentVersion().orElse(baseVersion);
            awaitServed(served);
            Evaluation result = evaluate();
            Evaluation.WinRate win = result.against(base);
            promotedLast = promoted;
            LoopReport.Round line = new LoopReport.Round(round, judgments, result.checkpoint(), promoted, verdict,
                    result.alignment(), win, seconds(roundStart), result, training);
            rounds.add(line);
            print(line, base.alignment());
        }
        if (!options.keep()) {
            trainer.post("/v1/campaigns/" + campaignId + "/stop", admin, "{}");
        }
        LoopReport.write(options.report(), options, world, rounds);
        out.printf(Locale.ROOT, "%s %.3f → %.3f (%+.1f points) in %.0f s; report: %s%n", world.alignmentName(),
                base.alignment(),
                rounds.get(rounds.size() - 1).alignment(),
                100 * (rounds.get(rounds.size() - 1).alignment() - base.alignment()), seconds(start),
                options.report().toAbsolutePath());
        return rounds;
    }

    /**
     * The campaign that supplies the pairs: every prompt in each proposal (groups of two as
     * disjoint pairs; larger groups with every two of a group paired), {@code pairsPerRound} pairs
     * from each newly served checkpoint, FIFO; a target depth of one keeps a round going from the
     * same checkpoint when a job's checkpoint was not promoted.
     */
    private Map<String, Object> campaign(String project, List<String> prompts, int pairsPerRound) {
        Map<String, Object> proposal = new LinkedHashMap<>(world.proposalSettings(options));
        if (options.groupSize() > 2) {
            proposal.put("candidates_per_prompt", options.groupSize());
        } else {
            proposal.put("pairs_per_prompt", 1);
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", "closed loop, " + world.alignmentName());
        request.put("project", project);
        request.put("model", model);
        request.put("prompts", prompts);
        request.put("proposal", proposal);
        request.put("prompts_per_proposal", prompts.size());
        request.put("target_depth", 1);
        request.put("pairs_per_checkpoint", pairsPerRound);
        request.put("seed", options.seed());
        return request;
    }

    /**
     * Waits until the campaign has proposed at least {@code pairs} open pairs from the served
     * checkpoint and retired the untouched ones of older checkpoints: the simulated labelers start a
     * round on the new checkpoint's pairs only, as the loop's rounds always have (real labelers
     * would not wait).
     */
    private void awaitPairs(String campaign, String served, int pairs) throws InterruptedException {
        await("waiting for the campaign's pairs from " + served, () -> {
            JsonNode view = trainer.get("/v1/campaigns/" + campaign, options.adminKey());
            if (!view.get("last_error").isNull()) {
                progress.show("campaign: " + view.get("last_error").asString(), 0, 0);
            }
            int fromServed = 0;
            int older = 0;
            for (JsonNode c : view.get("checkpoints")) {
                if (c.get("checkpoint").asString().equals(served)) {
                    fromServed = c.get("open").asInt();
                } else {
                    older += c.get("open").asInt();
                }
            }
            progress.show("proposing", fromServed, pairs);
            return fromServed >= pairs && older == 0;
        }, Duration.ofMinutes(10));
        progress.clear();
    }

    private Evaluation evaluate() {
        int[] done = {0};
        Evaluation result = world.evaluate(inference, options, () -> progress.show("evaluating", ++done[0], world.evaluationPrompts()));
        progress.clear();
        return result;
    }

    private java.util.Optional<String> currentVersion() {
        try {
            return java.util.Optional.of(trainer.get("/v1/models/" + model + "/current", options.adminKey())
                    .get("version").asString());
        } catch (IllegalStateException e) {
            if (e.getMessage().contains(" 404")) {
                return java.util.Optional.empty();
            }
            throw e;
        }
    }

    /** The policy's next job (it fires once every comparison of the round is in the feed). */
    private JsonNode awaitJob(Set<String> seen) throws InterruptedException {
        JsonNode[] found = {null};
        await("waiting for the policy to queue its job", () -> {
            for (JsonNode job : trainer.get("/v1/jobs?model=" + model + "&limit=1000", options.adminKey()).get("data")) {
                if (!job.get("policy_id").isNull() && seen.add(job.get("id").asString())) {
                    found[0] = job;
                    return true;
                }
            }
            return false;
        }, Duration.ofMinutes(5));
        return found[0];
    }

    private JsonNode awaitTraining(String job) throws InterruptedException {
        JsonNode[] state = {null};
        await("training", () -> {
            state[0] = trainer.get("/v1/jobs/" + job, options.adminKey());
            JsonNode p = state[0].get("progress");
            progress.show("training (" + state[0].get("status").asString() + ")", p.get("steps_done").asInt(),
                    p.get("steps_total").asInt());
            return List.of("succeeded", "failed", "cancelled").contains(state[0].get("status").asString());
        }, Duration.ofMinutes(60));
        progress.clear();
        return state[0];
    }

    /** The held-out reward and KL of a reward-model method's checkpoint, for the round's line ("" when none). */
    private static String rewardAndKl(Map<String, Double> metrics) {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((k, v) -> {
            if (k.startsWith("heldout_")) {
                sb.append(sb.length() == 0 ? " (" : ", ").append(k).append(' ')
                        .append(String.format(Locale.ROOT, "%.3f", v));
            }
        });
        return sb.length() == 0 ? "" : sb.append(')').toString();
    }

    /** What the gate decided about the job's checkpoint: its {@code promotion}, null when none decided. */
    private static JsonNode promotion(JsonNode job) {
        JsonNode promotion = job.get("promotion");
        return promotion == null || promotion.isNull() ? null : promotion;
    }

    /** The job's β (the text DPO ratio needs it); null when it has none. */
    private static Double beta(JsonNode job) {
        JsonNode beta = job.path("hyperparameters").path("beta");
        return beta.isNumber() ? beta.asDouble() : null;
    }

    private static String verdict(JsonNode job) {
        if (!job.get("status").asString().equals("succeeded")) {
            return job.get("status").asString() + ": " + job.get("error").asString("");
        }
        JsonNode promotion = promotion(job);
        if (promotion == null) {
            return "no gate decision recorded";
        }
        return (promotion.get("promoted").asBoolean() ? "promoted: " : "not promoted: ")
                + promotion.get("reason").asString();
    }

    private void awaitServed(String checkpoint) throws InterruptedException {
        await("waiting for the inference-service to serve " + checkpoint, () -> {
            for (JsonNode served : inference.get("/v1/models", options.adminKey()).get("data")) {
                JsonNode loaded = served.get("loaded");
                if (served.get("name").asString().equals(model) && loaded != null && !loaded.isNull()
                        && checkpoint.equals(loaded.get("checkpoint").asString())) {
                    return true;
                }
            }
            return false;
        }, Duration.ofMinutes(5));
    }

    private void print(LoopReport.Round r, double base) {
        progress.clear();
        String training = r.training() == null || r.training().summary().isEmpty() ? ""
                : r.training().summary() + " | ";
        out.printf(Locale.ROOT, "round %d | judgments %4d | %-22s | %s %.3f (%+5.1f) | win vs base %s | %4.0f s | %s | %s%s%n",
                r.round(), r.judgments(), r.checkpoint(), world.alignmentName(), r.alignment(), 100 * (r.alignment() - base),
                r.winRate() == null ? "  –  " : String.format(Locale.ROOT, "%.3f", r.winRate().tiesHalf()), r.seconds(),
                r.evaluation().detail(), training, r.verdict());
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private void await(String what, Condition condition, Duration limit) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(what + ": " + e.getMessage(), e);
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("gave up " + what + " after " + limit.toMinutes() + " min");
            }
            Thread.sleep(500);
        }
    }

    private static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }
}
