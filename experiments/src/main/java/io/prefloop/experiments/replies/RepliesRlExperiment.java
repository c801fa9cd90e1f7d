package io.prefloop.experiments.replies;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.prefloop.experiments.Arguments;
import io.prefloop.experiments.SeedStatistics;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.labeling.SimulatedLabeler;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.replies.BaseModelStore;
import io.prefloop.model.replies.PretrainingConfig;
import io.prefloop.model.replies.Question;
import io.prefloop.model.replies.RepliesWorld;
import io.prefloop.model.replies.ReplyOracle;
import io.prefloop.model.replies.ReplyPairs;
import io.prefloop.model.replies.ReplySampling;
import io.prefloop.model.replies.ReplyStats;
import io.prefloop.model.replies.Style;
import io.prefloop.model.reward.BradleyTerryLoss;
import io.prefloop.model.reward.RewardNormalizer;
import io.prefloop.model.reward.RewardTrainer;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.reward.TiePolicy;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoLossType;
import io.prefloop.model.text.DpoTrainer;
import io.prefloop.model.text.LanguageModels;
import io.prefloop.model.text.SftTrainer;
import io.prefloop.model.text.TextPreference;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.model.text.rl.AdaptiveKlController;
import io.prefloop.model.text.rl.FixedKlController;
import io.prefloop.model.text.rl.KlController;
import io.prefloop.model.text.rl.KlPenalty;
import io.prefloop.model.text.rl.PolicyWithValueHead;
import io.prefloop.model.text.rl.PpoConfig;
import io.prefloop.model.text.rl.PpoTrainer;
import io.prefloop.model.text.rl.RewardModelScore;
import io.prefloop.model.text.rl.RlooConfig;
import io.prefloop.model.text.rl.RlooTrainer;
import io.prefloop.model.text.rl.RolloutSampler;
import io.prefloop.model.text.rl.Rollouts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * RLHF in the replies world (docs/rl.md): per seed, sample replies from the base model, have the
 * formal-preferring simulated labeler (with label noise) compare them, train a Bradley–Terry reward
 * model on those comparisons, then tune the base with PPO and with RLOO against the reward model,
 * and with DPO on the same comparisons. Each model is judged by the oracle on samples of every
 * question: formal (preferred) style rate, well-formed rate, and the KL to the base (Σ over each
 * sample's tokens of log π − log π_base, averaged over samples).
 *
 * <pre>java ... io.prefloop.experiments.replies.RepliesRlExperiment --store target/rl-store --seeds 1,2,3</pre>
 */
public final class RepliesRlExperiment {

    private RepliesRlExperiment() {}

    public static void main(String[] args) {
        Arguments o = new Arguments(args);
        Path storeDir = Path.of(o.string("store", "target/replies-store"));
        String seedList = o.string("seeds", "1,2,3");
        String methodList = o.string("methods", "ppo,rloo,dpo");
        int samplesPerPrompt = o.integer("samples-per-prompt", 16);
        int evalSamples = o.integer("eval-samples", 16);
        double noise = o.number("noise", 0.1);
        int maxTokens = o.integer("max-tokens", ReplySampling.MAX_REPLY_TOKENS);
        int sftDemonstrations = o.integer("sft", 0);
        float sftLr = (float) o.number("sft-lr", 1e-4);
        int sftSteps = o.integer("sft-steps", 100);
        int rmSteps = o.integer("rm-steps", 200);
        float rmLr = (float) o.number("rm-lr", 3e-4);
        int rmBatch = o.integer("rm-batch", 32);
        int ppoSteps = o.integer("ppo-steps", 40);
        int ppoBatch = o.integer("ppo-batch", 64);
        float ppoLr = (float) o.number("ppo-lr", 5e-5);
        double klCoef = o.number("kl-coef", 0.3);
        double klTarget = o.number("kl-target", 0);
        double klHorizon = o.number("kl-horizon", 10_000);
        int ppoEpochs = o.integer("ppo-epochs", 4);
        int miniBatches = o.integer("mini-batches", 4);
        double vfCoef = o.number("vf-coef", 0.1);
        double eosPenalty = o.number("missing-eos-penalty", 0);
        int rlooSteps = o.integer("rloo-steps", 25);
        int rlooPrompts = o.integer("rloo-prompts", 16);
        int rlooK = o.integer("rloo-k", 4);
        float rlooLr = (float) o.number("rloo-lr", 5e-5);
        double rlooKl = o.number("rloo-kl-coef", 0.85);
        boolean rlooNormalize = o.bool("rloo-normalize", true);
        double dpoBeta = o.number("dpo-beta", 0.5);
        float dpoLr = (float) o.number("dpo-lr", 5e-5);
        double dpoRpo = o.number("dpo-rpo-alpha", 1);
        int dpoSteps = o.integer("dpo-steps", 200);
        int dpoBatch = o.integer("dpo-batch", 16);
        if (!o.finish(System.out)) {
            return;
        }
        long[] seeds = Arrays.stream(seedList.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
        List<String> methods = Arrays.stream(methodList.split(",")).map(String::trim).toList();

        RepliesWorld world = RepliesWorld.standard();
        ByteTokenizer tokenizer = new ByteTokenizer();
        ReplyOracle oracle = new ReplyOracle(world, Style.FORMAL);
        List<String> trainPrompts = world.trainQuestions().stream().map(Question::prompt).toList();
        RolloutSampler.Sampling sampling = new RolloutSampler.Sampling(maxTokens, 1.0, eosPenalty);
        Map<String, List<Row>> results = new LinkedHashMap<>();
        long start = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            BaseModelStore.Loaded base = BaseModelStore.getOrPretrain(new DirectoryCheckpointStore(storeDir), manager,
                    PretrainingConfig.standard(), System.out::println);
            for (long seed : seeds) {
                Engine.getInstance().setRandomSeed((int) seed);
                Row before = evaluate(manager, base.model(), base.model(), tokenizer, world, oracle, evalSamples, seed, 0);
                // InstructGPT's order with --sft N: SFT on N formal demonstrations first; the comparisons, the
                // reward model's start and every method's start and reference are then the SFT model
                TransformerLm startModel = sftDemonstrations > 0
                        ? sft(manager, base.model(), world, tokenizer, sftDemonstrations, sftSteps, sftLr, seed) : base.model();
                if (sftDemonstrations > 0) {
                    Row tuned = evaluate(manager, startModel, base.model(), tokenizer, world, oracle, evalSamples, seed, 0);
                    results.computeIfAbsent("sft", k -> new ArrayList<>()).add(tuned);
                    System.out.println("seed " + seed + " sft: " + tuned);
                }
                results.computeIfAbsent("base", k -> new ArrayList<>()).add(before);
                System.out.println("seed " + seed + " base: " + before);

                List<ReplySampling.Sample> samples = ReplySampling.sample(manager, startModel, tokenizer,
                        world.trainQuestions(), samplesPerPrompt, 1.0, 2000 + seed, 64);
                List<TextPreference> pairs = RepliesDpoExperiment.label(samples, oracle, new SimulatedLabeler(noise, seed));
                long t0 = System.nanoTime();
                TextRewardModel rewardModel = rewardModel(manager, startModel, tokenizer, pairs, rmSteps, rmBatch, rmLr,
                        seed);
                RewardModelScore reward = new RewardModelScore(rewardModel,
                        normalizer(manager, rewardModel, tokenizer, samples), tokenizer);
                double accuracy = RepliesRewardExperiment.accuracy(manager, rewardModel, tokenizer, ReplyPairs.sample(world,
                        oracle, new SimulatedLabeler(0, seed), world.trainQuestions(), 1000, new Random(seed)));
                System.out.printf("seed %d: %d pairs; reward model %d steps in %.0f s, accuracy %.3f against the oracle"
                        + " on fresh candidate pairs%n", seed, pairs.size(), rmSteps, (System.nanoTime() - t0) / 1e9, accuracy);

                for (String method : methods) {
                    TransformerLm policy = LanguageModels.copy(startModel, manager);
                    TransformerLm reference = LanguageModels.frozenCopy(startModel, manager);
                    long m0 = System.nanoTime();
                    int steps;
                    switch (method) {
                        case "ppo" -> {
                            steps = ppoSteps;
                            PolicyWithValueHead model = new PolicyWithValueHead(policy, manager);
                            KlController kl = klTarget > 0 ? new AdaptiveKlController(klCoef, klTarget, klHorizon)
                                    : new FixedKlController(klCoef);
                            PpoTrainer trainer = new PpoTrainer(model, new RolloutSampler(policy, model, reference,
                                    tokenizer, reward, sampling), kl,
                                    new PpoConfig(ppoEpochs, miniBatches, 0.2, 0.2, vfCoef, 1, 0.95),
                                    OptimizerStep.adam(model, ppoLr), tokenizer);
                            for (int step = 1; step <= ppoSteps; step++) {
                                Map<String, Double> m = trainer.step(manager, prompts(trainPrompts, ppoBatch, seed, step),
                                        seed * 100_000 + step);
                                log("ppo", seed, step, ppoSteps, m);
                            }
                        }
                        case "rloo" -> {
                            steps = rlooSteps;
                            RlooTrainer trainer = new RlooTrainer(policy, new RolloutSampler(policy, null, reference,
                                    tokenizer, reward, sampling),
                                    new RlooConfig(rlooK, rlooKl, ppoEpochs, miniBatches, 0.2, rlooNormalize),
                                    OptimizerStep.adam(policy, rlooLr), tokenizer);
                            for (int step = 1; step <= rlooSteps; step++) {
                                Map<String, Double> m = trainer.step(manager,
                                        prompts(trainPrompts, rlooPrompts, seed, step), seed * 100_000 + step);
                                log("rloo", seed, step, rlooSteps, m);
                            }
                        }
                        case "dpo" -> {
                            steps = dpoSteps;
                            DpoTrainer trainer = new DpoTrainer(policy, reference, tokenizer,
                                    new DpoConfig(dpoBeta, DpoLossType.SIGMOID, 0, dpoRpo), OptimizerStep.adam(policy, dpoLr));
                            Random random = new Random(seed);
                            for (int step = 1; step <= dpoSteps; step++) {
                                List<TextPreference> minibatch = new ArrayList<>();
                                for (int i = 0; i < dpoBatch; i++) {
                                    minibatch.add(pairs.get(random.nextInt(pairs.size())));
                                }
                                trainer.step(manager, minibatch);
                            }
                        }
                        default -> throw new IllegalArgumentException("unknown method " + method);
                    }
                    double seconds = (System.nanoTime() - m0) / 1e9;
                    Row after = evaluate(manager, policy, reference, tokenizer, world, oracle, evalSamples, seed,
                            steps / seconds);
                    results.computeIfAbsent(method, k -> new ArrayList<>()).add(after);
                    System.out.printf("seed %d %s: %s (%.0f s)%n", seed, method, after, seconds);
                }
            }
        }

        System.out.printf("%n| seed | model | formal (preferred) | well-formed | KL to base | steps/s |%n|---|---|---|---|---|---|%n");
        for (int s = 0; s < seeds.length; s++) {
            for (Map.Entry<String, List<Row>> e : results.entrySet()) {
                Row r = e.getValue().get(s);
                System.out.printf("| %d | %s | %.1f%% | %.1f%% | %.2f | %s |%n", seeds[s], e.getKey(), 100 * r.formal(),
                        100 * r.wellFormed(), r.kl(), r.stepsPerSecond() > 0 ? String.format("%.2f", r.stepsPerSecond()) : "–");
            }
        }
        List<Row> base = results.get("base");
        System.out.printf("%n| model | formal gain, points (mean ± sd) | worst seed | well-formed (mean ± sd) | worst | KL to base |%n"
                + "|---|---|---|---|---|---|%n");
        for (Map.Entry<String, List<Row>> e : results.entrySet()) {
            if (e.getKey().equals("base")) {
                continue;
            }
            double[] gains = new double[seeds.length];
            double[] wellFormed = new double[seeds.length];
            double[] kl = new double[seeds.length];
            for (int s = 0; s < seeds.length; s++) {
                gains[s] = 100 * (e.getValue().get(s).formal() - base.get(s).formal());
                wellFormed[s] = e.getValue().get(s).wellFormed();
                kl[s] = e.getValue().get(s).kl();
            }
            System.out.printf("| %s | %+.1f ± %.1f | %+.1f | %.3f ± %.3f | %.3f | %.2f ± %.2f |%n", e.getKey(), SeedStatistics.mean(gains),
                    SeedStatistics.sd(gains), Arrays.stream(gains).min().orElseThrow(), SeedStatistics.mean(wellFormed), SeedStatistics.sd(wellFormed),
                    Arrays.stream(wellFormed).min().orElseThrow(), SeedStatistics.mean(kl), SeedStatistics.sd(kl));
        }
        System.out.printf("total %.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** One model's evaluation: oracle rates over every question's samples and the KL to the base. */
    record Row(double formal, double wellFormed, double kl, double stepsPerSecond, ReplyStats stats) {
        @Override
        public String toString() {
            return String.format("formal %.3f well-formed %.3f KL %.2f", formal, wellFormed, kl);
        }
    }

    /** {@code perQuestion} samples (T = 1) of every question, judged by the oracle; KL of those samples. */
    static Row evaluate(NDManager manager, TransformerLm model, TransformerLm reference, ByteTokenizer tokenizer,
            RepliesWorld world, ReplyOracle oracle, int perQuestion, long seed, double stepsPerSecond) {
        List<String> prompts = new ArrayList<>();
        for (Question q : world.questions()) {
            for (int i = 0; i < perQuestion; i++) {
                prompts.add(q.prompt());
            }
        }
        RolloutSampler sampler = new RolloutSampler(model, null, reference, tokenizer,
                (m, p, c) -> new double[p.size()], new RolloutSampler.Sampling(ReplySampling.MAX_REPLY_TOKENS, 1.0, 0));
        List<ReplySampling.Sample> samples = new ArrayList<>();
        double kl = 0;
        for (int start = 0; start < prompts.size(); start += 64) {
            Rollouts r = sampler.sample(manager, prompts.subList(start, Math.min(prompts.size(), start + 64)),
                    1000 + seed + start);
            for (int i = 0; i < r.size(); i++) {
                samples.add(new ReplySampling.Sample(r.prompts().get(i), r.generations().get(i)));
                kl += KlPenalty.sum(r.logProbs()[i], r.refLogProbs()[i]);
            }
        }
        ReplyStats stats = ReplySampling.stats(oracle, samples);
        return new Row(stats.preferredRate(), stats.wellFormedRate(), kl / prompts.size(), stepsPerSecond, stats);
    }

    /**
     * A Bradley–Terry reward model from the base model's transformer (InstructGPT), trained on the
     * comparisons.
     */
    private static TextRewardModel rewardModel(NDManager manager, TransformerLm base, ByteTokenizer tokenizer,
            List<TextPreference> pairs, int steps, int batch, float lr, long seed) {
        TextRewardModel model = TextRewardModel.fromLanguageModel(base, manager);
        RewardTrainer trainer = new RewardTrainer(model, new BradleyTerryLoss(TiePolicy.DROP, 0), OptimizerStep.adam(model, lr));
        Random random = new Random(seed);
        for (int step = 1; step <= steps; step++) {
            List<String> prompts = new ArrayList<>();
            List<String> replies = new ArrayList<>();
            List<TextPreference> minibatch = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                minibatch.add(pairs.get(random.nextInt(pairs.size())));
            }
            minibatch.forEach(p -> {
                prompts.add(p.prompt());
                replies.add(p.chosen());
            });
            minibatch.forEach(p -> {
                prompts.add(p.prompt());
                replies.add(p.rejected());
            });
            try (NDManager sub = manager.newSubManager()) {
                NDList inputs = model.inputs(sub, tokenizer, prompts, replies);
                trainer.step(sub, inputs, null, new boolean[batch]);
            }
        }
        return model;
    }

    /** SFT of a copy of the base on {@code n} demonstrations in the formal style with the right answer, training questions only. */
    private static TransformerLm sft(NDManager manager, TransformerLm base, RepliesWorld world, ByteTokenizer tokenizer,
            int n, int steps, float lr, long seed) {
        Random random = new Random(seed);
        List<SftTrainer.Example> demos = RepliesSftExperiment.formalDemonstrations(world, n, random);
        TransformerLm model = LanguageModels.copy(base, manager);
        SftTrainer trainer = new SftTrainer(model, null, tokenizer, OptimizerStep.adam(model, lr).clipGradNorm(1.0));
        for (int step = 0; step < steps; step++) {
            List<SftTrainer.Example> minibatch = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                minibatch.add(demos.get(random.nextInt(demos.size())));
            }
            trainer.step(manager, minibatch);
        }
        return model;
    }

    /** The reward model's scale on the base model's samples (its reference set). */
    private static RewardNormalizer normalizer(NDManager manager, TextRewardModel model, ByteTokenizer tokenizer,
            List<ReplySampling.Sample> samples) {
        List<String> prompts = samples.stream().map(ReplySampling.Sample::prompt).toList();
        List<String> replies = samples.stream().map(s -> s.generation().text()).toList();
        float[] rewards = new float[samples.size()];
        for (int s = 0; s < samples.size(); s += 64) {
            int e = Math.min(samples.size(), s + 64);
            try (NDManager sub = manager.newSubManager()) {
                float[] r = RewardTrainer.score(model, sub, model.inputs(sub, tokenizer, prompts.subList(s, e),
                        replies.subList(s, e)));
                System.arraycopy(r, 0, rewards, s, r.length);
            }
        }
        return RewardNormalizer.fit(rewards);
    }

    /** A batch of training prompts drawn with replacement, the same for a seed and step in every run. */
    private static List<String> prompts(List<String> all, int count, long seed, int step) {
        Random random = new Random(seed * 1_000_003L + step);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(all.get(random.nextInt(all.size())));
        }
        return out;
    }

    private static void log(String method, long seed, int step, int steps, Map<String, Double> m) {
        if (step % 10 == 0 || step == 1 || step == steps) {
            System.out.printf("%s seed %d step %d: scores %.3f kl %.2f beta %.4f clipfrac %.3f approxkl %.4f entropy %.3f%s eos %.0f ref_nll %.3f%n",
                    method, seed, step, m.get("objective/scores"), m.get("objective/kl"), m.get("objective/kl_coef"),
                    m.get("policy/clipfrac_avg"), m.get("policy/approxkl_avg"), m.get("policy/entropy_avg"),
                    m.containsKey("loss/value_avg") ? String.format(" value loss %.4f", m.get("loss/value_avg")) : "",
                    m.get("val/num_eos_tokens"), m.get("ref_nll"));
        }
    }


}
