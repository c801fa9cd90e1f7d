package io.prefloop.experiments.replies;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.prefloop.experiments.Arguments;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.labeling.Choice;
import io.prefloop.model.labeling.SimulatedLabeler;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.replies.BaseModelStore;
import io.prefloop.model.replies.PretrainingConfig;
import io.prefloop.model.replies.Question;
import io.prefloop.model.replies.RepliesModels;
import io.prefloop.model.replies.RepliesWorld;
import io.prefloop.model.replies.ReplyOracle;
import io.prefloop.model.replies.ReplyPairs;
import io.prefloop.model.replies.Style;
import io.prefloop.model.reward.BradleyTerryLoss;
import io.prefloop.model.reward.RewardMetrics;
import io.prefloop.model.reward.RewardNormalizer;
import io.prefloop.model.reward.RewardTrainer;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.reward.TiePolicy;
import io.prefloop.model.text.ByteTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The text reward-model experiment (docs/language.md): a Bradley–Terry reward model, started from
 * the base language model as InstructGPT does, trained on reply pairs labelled by simulated
 * labelers with label noise, and scored against the oracle on pairs it never saw: fresh pairs on
 * the training questions, and pairs on held-out questions.
 *
 * <pre>java ... io.prefloop.experiments.replies.RepliesRewardExperiment --store target/replies-store</pre>
 */
public final class RepliesRewardExperiment {

    private RepliesRewardExperiment() {}

    public static void main(String[] args) {
        Arguments o = new Arguments(args);
        Path storeDir = Path.of(o.string("store", "target/replies-store"));
        double noise = o.number("noise", 0.1);
        int trainPairs = o.integer("pairs", 4000);
        int steps = o.integer("steps", 400);
        int batch = o.integer("batch", 32);
        float lr = (float) o.number("lr", 1e-3);
        TiePolicy ties = TiePolicy.valueOf(o.string("ties", "DROP"));
        boolean fromBase = o.bool("from-base", true);
        double center = o.number("center", 0);
        long seed = o.integer("seed", 1);
        if (!o.finish(System.out)) {
            return;
        }

        RepliesWorld world = RepliesWorld.standard();
        ByteTokenizer tokenizer = new ByteTokenizer();
        ReplyOracle oracle = new ReplyOracle(world, Style.FORMAL);
        SimulatedLabeler labeler = new SimulatedLabeler(noise, seed);
        Random random = new Random(seed);
        List<ReplyPairs.LabeledPair> train = ReplyPairs.sample(world, oracle, labeler, world.trainQuestions(), trainPairs, random);
        List<ReplyPairs.LabeledPair> freshPairs = ReplyPairs.sample(world, oracle, labeler, world.trainQuestions(), 2000, random);
        List<ReplyPairs.LabeledPair> heldOutPairs = ReplyPairs.sample(world, oracle, labeler, world.heldOutQuestions(), 2000, random);
        List<ReplyPairs.LabeledPair> usable = train.stream()
                .filter(p -> ties == TiePolicy.HALF || p.verdict() != Choice.TIE).toList();
        long wrongLabels = train.stream().filter(p -> p.verdict() != Choice.TIE)
                .filter(p -> (p.verdict() == Choice.A) != (p.scoreA() > p.scoreB())).count();
        System.out.printf("%d training pairs, %d used (ties %s), %d labels against the oracle%n",
                train.size(), usable.size(), ties, wrongLabels);

        DirectoryCheckpointStore store = new DirectoryCheckpointStore(storeDir);
        long start = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            CheckpointId parent = null;
            TextRewardModel model;
            if (fromBase) {
                BaseModelStore.Loaded base = BaseModelStore.getOrPretrain(store, manager, PretrainingConfig.standard(), System.out::println);
                model = TextRewardModel.fromLanguageModel(base.model(), manager);
                parent = base.id();
            } else {
                // the initial weights come from the engine's generator: seed it, or two runs differ
                ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
                model = TextRewardModel.create(RepliesModels.SPEC, manager);
            }
            RewardTrainer trainer = new RewardTrainer(model, new BradleyTerryLoss(ties, center),
                    OptimizerStep.adam(model, lr));
            long trainStart = System.nanoTime();
            for (int step = 1; step <= steps; step++) {
                List<ReplyPairs.LabeledPair> minibatch = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    minibatch.add(usable.get(random.nextInt(usable.size())));
                }
                try (NDManager sub = manager.newSubManager()) {
                    boolean[] tieFlags = new boolean[batch];
                    for (int i = 0; i < batch; i++) {
                        tieFlags[i] = minibatch.get(i).verdict() == Choice.TIE;
                    }
                    RewardMetrics m = trainer.step(sub, inputs(sub, model, tokenizer, minibatch), null, tieFlags);
                    if (step % 50 == 0 || step == steps) {
                        System.out.printf("reward step %d loss %.4f accuracy %.3f margin %.3f%n", step, m.loss(), m.accuracy(), m.margin());
                    }
                }
            }
            double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
            double freshAccuracy = accuracy(manager, model, tokenizer, freshPairs);
            double heldOutAccuracy = accuracy(manager, model, tokenizer, heldOutPairs);

            RewardNormalizer normalizer = RewardNormalizer.fit(referenceRewards(manager, model, tokenizer, world));
            Map<String, Object> metrics = new LinkedHashMap<>(normalizer.toMetrics());
            metrics.put("accuracy_fresh_pairs", freshAccuracy);
            metrics.put("accuracy_held_out_questions", heldOutAccuracy);
            Map<String, Object> hyper = new LinkedHashMap<>();
            hyper.put("learning_rate", lr);
            hyper.put("steps", steps);
            hyper.put("batch_size", batch);
            hyper.put("tie_policy", ties.name().toLowerCase());
            Map<String, Object> architecture = ModelFamilies.TEXT_REWARD.architecture(model);
            CheckpointId id = new CheckpointId(RepliesModels.REWARD_MODEL, store.nextVersion(RepliesModels.REWARD_MODEL));
            store.publish(new Manifest(id.model(), id.version(), parent, null, architecture, "reward_model", hyper,
                    Map.of("world", "replies", "pairs", usable.size(), "label_noise", noise), metrics, null, null),
                    BlockWeights.of(model));

            System.out.printf("%ntext reward model (from %s, %d steps x %d pairs, %.0f s training, published %s)%n",
                    fromBase ? "base LM" : "scratch", steps, batch, trainSeconds, id);
            System.out.printf("| label noise | accuracy, fresh pairs on training questions | accuracy, pairs on held-out questions |%n");
            System.out.printf("|---|---|---|%n| %.0f%% | %.1f%% (%d pairs) | %.1f%% (%d pairs) |%n", noise * 100,
                    100 * freshAccuracy, decisive(freshPairs), 100 * heldOutAccuracy, decisive(heldOutPairs));
            System.out.printf("normaliser: mean %.3f std %.3f; total %.0f s%n", normalizer.mean(), normalizer.std(),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** Rows: the chosen replies, then the rejected ones. */
    private static NDList inputs(NDManager m, TextRewardModel model, ByteTokenizer tokenizer, List<ReplyPairs.LabeledPair> pairs) {
        List<String> prompts = new ArrayList<>();
        List<String> replies = new ArrayList<>();
        for (ReplyPairs.LabeledPair p : pairs) {
            prompts.add(p.prompt());
            replies.add(p.chosen());
        }
        for (ReplyPairs.LabeledPair p : pairs) {
            prompts.add(p.prompt());
            replies.add(p.rejected());
        }
        return model.inputs(m, tokenizer, prompts, replies);
    }

    /** Share of oracle-decisive pairs where the model gives the oracle's better reply the higher reward. */
    static double accuracy(NDManager manager, TextRewardModel model, ByteTokenizer tokenizer, List<ReplyPairs.LabeledPair> pairs) {
        float[] margins = margins(manager, model, tokenizer, pairs);
        int correct = 0;
        int counted = 0;
        for (int i = 0; i < pairs.size(); i++) {
            ReplyPairs.LabeledPair p = pairs.get(i);
            if (p.decisive()) {
                counted++;
                correct += (margins[i] > 0) == (p.scoreA() > p.scoreB()) ? 1 : 0;
            }
        }
        return correct / (double) counted;
    }

    /** r(a) − r(b) for each pair, scored 256 pairs at a time. */
    public static float[] margins(NDManager manager, TextRewardModel model, ByteTokenizer tokenizer,
            List<ReplyPairs.LabeledPair> pairs) {
        float[] out = new float[pairs.size()];
        for (int start = 0; start < pairs.size(); start += 256) {
            List<ReplyPairs.LabeledPair> chunk = pairs.subList(start, Math.min(pairs.size(), start + 256));
            List<String> prompts = new ArrayList<>();
            List<String> replies = new ArrayList<>();
            for (ReplyPairs.LabeledPair p : chunk) {
                prompts.add(p.prompt());
                replies.add(p.a());
            }
            for (ReplyPairs.LabeledPair p : chunk) {
                prompts.add(p.prompt());
                replies.add(p.b());
            }
            try (NDManager sub = manager.newSubManager()) {
                float[] r = RewardTrainer.score(model, sub, model.inputs(sub, tokenizer, prompts, replies));
                for (int i = 0; i < chunk.size(); i++) {
                    out[start + i] = r[i] - r[chunk.size() + i];
                }
            }
        }
        return out;
    }

    private static long decisive(List<ReplyPairs.LabeledPair> pairs) {
        return pairs.stream().filter(ReplyPairs.LabeledPair::decisive).count();
    }

    /** Rewards of a fixed set of candidate replies: the reference set for the normaliser. */
    private static float[] referenceRewards(NDManager manager, TextRewardModel model, ByteTokenizer tokenizer, RepliesWorld world) {
        Random random = new Random(12345);
        List<String> prompts = new ArrayList<>();
        List<String> replies = new ArrayList<>();
        for (Question q : world.questions()) {
            for (int i = 0; i < 8; i++) {
                prompts.add(q.prompt());
                replies.add(ReplyPairs.candidate(world, q, random));
            }
        }
        try (NDManager sub = manager.newSubManager()) {
            return RewardTrainer.score(model, sub, model.inputs(sub, tokenizer, prompts, replies));
        }
    }
}
