package io.prefloop.experiments.replies;

import ai.djl.ndarray.NDManager;
import io.prefloop.experiments.Arguments;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.labeling.SimulatedLabeler;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.replies.BaseModelStore;
import io.prefloop.model.replies.PretrainingConfig;
import io.prefloop.model.replies.RepliesModels;
import io.prefloop.model.replies.RepliesWorld;
import io.prefloop.model.replies.ReplyOracle;
import io.prefloop.model.replies.ReplySampling;
import io.prefloop.model.replies.ReplyStats;
import io.prefloop.model.replies.Style;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoLossType;
import io.prefloop.model.text.DpoMetrics;
import io.prefloop.model.text.DpoTrainer;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.LanguageModels;
import io.prefloop.model.text.TextPreference;
import io.prefloop.model.text.TransformerLm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The replies world's DPO experiment (docs/language.md): sample replies from the base model,
 * have simulated labelers (who prefer the formal style, with label noise) compare them, run DPO
 * against the frozen base, and measure how often each model's samples are formal and well-formed.
 *
 * <pre>java ... io.prefloop.experiments.replies.RepliesDpoExperiment --store target/replies-store</pre>
 */
public final class RepliesDpoExperiment {

    private RepliesDpoExperiment() {}

    public static void main(String[] args) {
        Arguments o = new Arguments(args);
        Path storeDir = Path.of(o.string("store", "target/replies-store"));
        int samplesPerPrompt = o.integer("samples-per-prompt", 8);
        int evalSamples = o.integer("eval-samples", 16);
        double noise = o.number("noise", 0.1);
        double beta = o.number("beta", 0.1);
        String loss = o.string("loss", "sigmoid");
        double labelSmoothing = o.number("label-smoothing", 0);
        double rpoAlpha = o.number("rpo-alpha", 0);
        float lr = (float) o.number("lr", 5e-4);
        int steps = o.integer("steps", 200);
        int batch = o.integer("batch", 16);
        long seed = o.integer("seed", 1);
        if (!o.finish(System.out)) {
            return;
        }
        DpoConfig config = new DpoConfig(beta, DpoLossType.fromTrlName(loss), labelSmoothing, rpoAlpha);

        RepliesWorld world = RepliesWorld.standard();
        ByteTokenizer tokenizer = new ByteTokenizer();
        ReplyOracle oracle = new ReplyOracle(world, Style.FORMAL);
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(storeDir);
        long start = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            BaseModelStore.Loaded base = BaseModelStore.getOrPretrain(store, manager, PretrainingConfig.standard(), System.out::println);
            Evaluation before = evaluate(manager, base.model(), tokenizer, world, oracle, evalSamples, 1000 + seed);
            System.out.println("base:  " + before);

            // on-policy preference data from the base model, training questions only
            List<ReplySampling.Sample> samples = ReplySampling.sample(manager, base.model(), tokenizer,
                    world.trainQuestions(), samplesPerPrompt, 1.0, 2000 + seed, 64);
            List<TextPreference> pairs = label(samples, oracle, new SimulatedLabeler(noise, seed));
            System.out.printf("preference data: %d samples, %d decisive pairs (ties dropped), labels with %.0f%% noise%n",
                    samples.size(), pairs.size(), noise * 100);

            TransformerLm policy = LanguageModels.copy(base.model(), manager);
            TransformerLm reference = LanguageModels.frozenCopy(base.model(), manager);
            DpoTrainer trainer = new DpoTrainer(policy, reference, tokenizer, config, OptimizerStep.adam(policy, lr));
            Random random = new Random(seed);
            long dpoStart = System.nanoTime();
            DpoMetrics last = null;
            for (int step = 1; step <= steps; step++) {
                List<TextPreference> minibatch = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    minibatch.add(pairs.get(random.nextInt(pairs.size())));
                }
                last = trainer.step(manager, minibatch);
                if (step % 25 == 0 || step == steps) {
                    System.out.println("dpo step " + step + " " + format(last.toMap()));
                }
            }
            double dpoSeconds = (System.nanoTime() - dpoStart) / 1e9;
            Evaluation after = evaluate(manager, policy, tokenizer, world, oracle, evalSamples, 1000 + seed);
            System.out.println("tuned: " + after);
            for (ReplySampling.Sample s : ReplySampling.sample(manager, policy, tokenizer, world.heldOutQuestions().subList(0, 4),
                    1, 1.0, 99, 8)) {
                System.out.printf("  %s ->%s%s%n", s.prompt().replace("\n", " "), s.generation().text(),
                        s.generation().finished() ? "" : " [no EOS]");
            }

            Map<String, Object> hyper = new LinkedHashMap<>(config.toMap());
            hyper.put("learning_rate", lr);
            hyper.put("steps", steps);
            hyper.put("batch_size", batch);
            Map<String, Object> metrics = new LinkedHashMap<>();
            last.toMap().forEach(metrics::put);
            metrics.put("preferred_style_rate", after.all().preferredRate());
            metrics.put("well_formed_rate", after.all().wellFormedRate());
            CheckpointId id = new CheckpointId(RepliesModels.DPO_MODEL, store.nextVersion(RepliesModels.DPO_MODEL));
            LanguageModelCheckpoints.publish(store, Manifest.of(id, null, "dpo")
                    .withParent(base.id()).withReference(base.id())
                    .withHyperparameters(hyper)
                    .withDataset(Map.of("world", "replies", "pairs", pairs.size(), "label_noise", noise))
                    .withMetrics(metrics), policy);

            System.out.printf("%nDPO (%s, beta %s, lr %s, %d steps x %d pairs, %.0f s, %.1f pairs/s), published %s%n",
                    config.lossType().trlName(), config.beta(), lr, steps, batch, dpoSeconds, steps * batch / dpoSeconds, id);
            System.out.println("| model | questions | samples | formal (preferred) | casual | terse | well-formed | correct |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            before.printRows("base");
            after.printRows("DPO");
            System.out.printf("preferred-style rate: %+.1f points (all questions), %+.1f points (held-out questions); total %.0f s%n",
                    100 * (after.all().preferredRate() - before.all().preferredRate()),
                    100 * (after.heldOut().preferredRate() - before.heldOut().preferredRate()),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** Every pair of finished samples of the same prompt that the labeler does not call a tie. */
    static List<TextPreference> label(List<ReplySampling.Sample> samples, ReplyOracle oracle,
            SimulatedLabeler labeler) {
        Map<String, List<ReplySampling.Sample>> byPrompt = new LinkedHashMap<>();
        for (ReplySampling.Sample s : samples) {
            if (s.generation().finished()) { // an unfinished reply would be trained on with an EOS it never had
                byPrompt.computeIfAbsent(s.prompt(), k -> new ArrayList<>()).add(s);
            }
        }
        List<TextPreference> pairs = new ArrayList<>();
        for (List<ReplySampling.Sample> group : byPrompt.values()) {
            for (int i = 0; i < group.size(); i++) {
                for (int j = i + 1; j < group.size(); j++) {
                    String prompt = group.get(i).prompt();
                    String a = group.get(i).generation().text();
                    String b = group.get(j).generation().text();
                    switch (labeler.judge(oracle.score(prompt, a), oracle.score(prompt, b))) {
                        case A -> pairs.add(new TextPreference(prompt, a, b));
                        case B -> pairs.add(new TextPreference(prompt, b, a));
                        case TIE -> { }
                    }
                }
            }
        }
        Collections.shuffle(pairs, new Random(0));
        return pairs;
    }

    record Evaluation(ReplyStats all, ReplyStats train, ReplyStats heldOut) {

        void printRows(String model) {
            row(model, "all", all);
            row(model, "training", train);
            row(model, "held-out", heldOut);
        }

        private static void row(String model, String questions, ReplyStats s) {
            System.out.printf("| %s | %s | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% |%n", model, questions, s.samples(),
                    100 * s.preferredRate(), 100 * s.styleRates().get(Style.CASUAL), 100 * s.styleRates().get(Style.TERSE),
                    100 * s.wellFormedRate(), 100 * s.correctRate());
        }

        @Override
        public String toString() {
            return "all " + all.toMap() + "\n       held-out " + heldOut.toMap();
        }
    }

    static Evaluation evaluate(NDManager manager, TransformerLm model, ByteTokenizer tokenizer, RepliesWorld world,
            ReplyOracle oracle, int perQuestion, long seed) {
        List<ReplySampling.Sample> train = ReplySampling.sample(manager, model, tokenizer, world.trainQuestions(),
                perQuestion, 1.0, seed, 64);
        List<ReplySampling.Sample> heldOut = ReplySampling.sample(manager, model, tokenizer, world.heldOutQuestions(),
                perQuestion, 1.0, seed + 7, 64);
        List<ReplySampling.Sample> all = new ArrayList<>(train);
        all.addAll(heldOut);
        return new Evaluation(ReplySampling.stats(oracle, all), ReplySampling.stats(oracle, train),
                ReplySampling.stats(oracle, heldOut));
    }

    private static String format(Map<String, Double> metrics) {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((k, v) -> sb.append(String.format("%s=%.4f ", k, v)));
        return sb.toString().trim();
    }
}
