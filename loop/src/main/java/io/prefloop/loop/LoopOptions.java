package io.prefloop.loop;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The loop's settings, from {@code --name value} arguments.
 *
 * @param pairsPerPrompt pairs proposed per prompt each round (15 prompts in the shapes world)
 * @param steps Diffusion-DPO steps per round
 * @param evalImages images per prompt for the oracle's evaluation of each checkpoint (paired seeds)
 * @param keep keep the services running after the last round, for real labelers
 * @param gateMin the policy's gate: held-out implicit accuracy at least this (0 by default: with two
 *     held-out prompts of fifteen it is too noisy to gate on; it is recorded and printed)
 * @param maxRegression and quality_regression at most this
 * @param sftWeight Diffusion-DPO's denoising term on the preferred images (0 = plain Diffusion-DPO)
 */
record LoopOptions(String world, int rounds, int labelers, double noise, int pairsPerPrompt, int steps, int batch,
        double learningRate, double beta, double cfgScale, int samplerSteps, int evalImages, Path report,
        String feedbackUrl, String trainerUrl, String inferenceUrl, String adminKey, String serviceKey, boolean keep,
        long seed, double gateMin, double maxRegression, double sftWeight) {

    static LoopOptions parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i] + " (options are --name value)");
            }
            String name = args[i].substring(2);
            if (name.equals("keep")) {
                a.put(name, "true");
            } else if (i + 1 < args.length) {
                a.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        }
        LoopOptions o = new LoopOptions(a.getOrDefault("world", "shapes"),
                Integer.parseInt(a.getOrDefault("rounds", "3")),
                Integer.parseInt(a.getOrDefault("labelers", "3")),
                Double.parseDouble(a.getOrDefault("noise", "0.1")),
                Integer.parseInt(a.getOrDefault("pairs-per-prompt", "8")),
                Integer.parseInt(a.getOrDefault("steps", "120")),
                Integer.parseInt(a.getOrDefault("batch", "16")),
                Double.parseDouble(a.getOrDefault("lr", "5e-5")),
                Double.parseDouble(a.getOrDefault("beta", "500")),
                Double.parseDouble(a.getOrDefault("cfg", "3")),
                Integer.parseInt(a.getOrDefault("sampler-steps", "25")),
                Integer.parseInt(a.getOrDefault("eval-images", "8")),
                Path.of(a.getOrDefault("report", "data/loop/report.html")),
                a.getOrDefault("feedback", env("PREFLOOP_FEEDBACK_URL", "http://localhost:8081")),
                a.getOrDefault("trainer", env("PREFLOOP_TRAINER_URL", "http://localhost:8082")),
                a.getOrDefault("inference", env("PREFLOOP_INFERENCE_URL", "http://localhost:8083")),
                env("PREFLOOP_ADMIN_KEY", "local-admin-key"), env("PREFLOOP_SERVICE_KEY", "local-service-key"),
                a.containsKey("keep"), Long.parseLong(a.getOrDefault("seed", "1")),
                Double.parseDouble(a.getOrDefault("gate-min", "0")),
                Double.parseDouble(a.getOrDefault("max-regression", "0.1")),
                Double.parseDouble(a.getOrDefault("sft", "500")));
        if (!o.world().equals("shapes")) {
            throw new IllegalArgumentException("--world " + o.world() + ": this build runs the loop for the shapes world"
                    + " (the replies world's pieces are in place: DPO jobs, text proposals; its driver is not yet)");
        }
        if (o.rounds() < 1 || o.labelers() < 1 || o.pairsPerPrompt() < 1 || o.steps() < 1 || o.evalImages() < 1
                || o.evalImages() > 16 || o.noise() < 0 || o.noise() >= 0.5) {
            throw new IllegalArgumentException("rounds, labelers, pairs-per-prompt, steps and eval-images must be"
                    + " positive (eval-images at most 16), noise in [0, 0.5)");
        }
        return o;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
