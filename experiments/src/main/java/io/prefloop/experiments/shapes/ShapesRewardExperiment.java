package io.prefloop.experiments.shapes;

import ai.djl.ndarray.NDArray;
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
import io.prefloop.model.reward.BradleyTerryLoss;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.ImageRewardSpec;
import io.prefloop.model.reward.RewardMetrics;
import io.prefloop.model.reward.RewardNormalizer;
import io.prefloop.model.reward.RewardTrainer;
import io.prefloop.model.reward.TiePolicy;
import io.prefloop.model.shapes.Colour;
import io.prefloop.model.shapes.Judgment;
import io.prefloop.model.shapes.PretrainingSet;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.Scene;
import io.prefloop.model.shapes.ShapeKind;
import io.prefloop.model.shapes.ShapeRenderer;
import io.prefloop.model.shapes.ShapesBatch;
import io.prefloop.model.shapes.ShapesOracle;
import io.prefloop.model.text.ByteTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The image reward-model experiment (docs/language.md): a prompt-conditioned conv net trained with
 * the Bradley–Terry loss on pairs of 16×16 shapes images labelled by the shapes world's simulated
 * labelers (10% flipped labels), scored against the pixel oracle on fresh pairs, and on pairs of
 * prompts (colour × shape combinations) never seen in training.
 *
 * <pre>java ... io.prefloop.experiments.shapes.ShapesRewardExperiment --store target/shapes-store</pre>
 */
public final class ShapesRewardExperiment {

    public static final int SIZE = 16;

    private ShapesRewardExperiment() {}

    /** A pair of images for one prompt, with the labeler's verdict and the oracle's scores. */
    public record ImagePair(Prompt prompt, Scene a, Scene b, Choice choice, double scoreA, double scoreB,
            boolean alignedA, boolean alignedB) {}

    /** Which pairs an accuracy is measured on. */
    enum Slice {
        /** every pair whose oracle scores differ */
        DECISIVE,
        /** scores differ by at least 0.25 */
        CLEAR,
        /** exactly one image matches the prompt (the oracle's yes/no alignment) */
        ALIGNMENT;

        boolean contains(ImagePair p) {
            return switch (this) {
                case DECISIVE -> p.scoreA() != p.scoreB();
                case CLEAR -> Math.abs(p.scoreA() - p.scoreB()) >= 0.25;
                case ALIGNMENT -> p.alignedA() != p.alignedB();
            };
        }
    }

    public static void main(String[] args) {
        Arguments o = new Arguments(args);
        double noise = o.number("noise", 0.1);
        int steps = o.integer("steps", 5000);
        int trainPairs = o.integer("pairs", 40000);
        double center = o.number("center", 0.01);
        int batch = o.integer("batch", 32);
        float lr = Float.parseFloat(o.string("lr", "2e-3"));
        long seed = o.longInteger("seed", 1);
        Path storeDir = Path.of(o.string("store", "target/shapes-store"));
        Optional<String> evaluate = o.optional("evaluate");
        Optional<int[]> channelsOption = o.optional("channels")
                .map(c -> Arrays.stream(c.split(",")).mapToInt(Integer::parseInt).toArray());
        if (!o.finish(System.out)) {
            return;
        }
        if (evaluate.isPresent()) {
            evaluateCheckpoint(storeDir, evaluate.get(), noise, seed);
            return;
        }

        List<Prompt> all = Prompt.pretrained();
        // one unseen colour × shape combination per shape, so every word is still seen in training
        List<Prompt> heldOutPrompts = List.of(new Prompt(Colour.PURPLE, ShapeKind.CIRCLE),
                new Prompt(Colour.GREEN, ShapeKind.SQUARE), new Prompt(Colour.YELLOW, ShapeKind.TRIANGLE));
        List<Prompt> trainPrompts = all.stream().filter(p -> !heldOutPrompts.contains(p)).toList();

        ShapesOracle oracle = new ShapesOracle(SIZE);
        SimulatedLabeler labeler = new SimulatedLabeler(noise, seed);
        Random random = new Random(seed);
        List<ImagePair> train = pairs(trainPrompts, trainPairs, oracle, labeler, random);
        List<ImagePair> fresh = pairs(trainPrompts, 2000, oracle, labeler, random);
        List<ImagePair> unseen = pairs(heldOutPrompts, 2000, oracle, labeler, random);
        List<ImagePair> usable = train.stream().filter(p -> p.choice() != Choice.TIE).toList();
        long flipped = usable.stream().filter(p -> (p.choice() == Choice.A) != (p.scoreA() > p.scoreB())).count();
        System.out.printf("%d training pairs, %d decisive (ties dropped), %d labels against the oracle%n",
                train.size(), usable.size(), flipped);

        ByteTokenizer tokenizer = new ByteTokenizer();
        long start = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
            ImageRewardSpec spec = ImageRewardSpec.shapes(tokenizer.vocabSize());
            if (channelsOption.isPresent()) {
                spec = new ImageRewardSpec(SIZE, channelsOption.get(), spec.prompt());
            }
            ImageRewardModel model = ImageRewardModel.create(spec, manager);
            RewardTrainer trainer = new RewardTrainer(model, new BradleyTerryLoss(TiePolicy.DROP, center),
                    OptimizerStep.adamCosine(model, lr, steps));
            for (int step = 1; step <= steps; step++) {
                List<ImagePair> minibatch = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    minibatch.add(usable.get(random.nextInt(usable.size())));
                }
                try (NDManager sub = manager.newSubManager()) {
                    RewardMetrics m = trainer.step(sub, inputs(sub, model, tokenizer, minibatch, true), null, null);
                    if (step % 250 == 0 || step == steps) {
                        System.out.printf("reward step %d loss %.4f accuracy %.3f margin %.3f%n", step, m.loss(), m.accuracy(), m.margin());
                    }
                }
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            double freshAccuracy = accuracy(manager, model, tokenizer, fresh, Slice.DECISIVE);
            double unseenAccuracy = accuracy(manager, model, tokenizer, unseen, Slice.DECISIVE);

            RewardNormalizer normalizer = RewardNormalizer.fit(referenceRewards(manager, model, tokenizer));
            Map<String, Object> metrics = new LinkedHashMap<>(normalizer.toMetrics());
            metrics.put("accuracy_fresh_pairs", freshAccuracy);
            metrics.put("accuracy_unseen_prompts", unseenAccuracy);
            DirectoryCheckpointStore store = new DirectoryCheckpointStore(storeDir);
            CheckpointId id = new CheckpointId("shapes-reward", store.nextVersion("shapes-reward"));
            store.publish(new Manifest(id.model(), id.version(), null, null,
                    ModelFamilies.IMAGE_REWARD.architecture(model), "reward_model",
                    Map.of("learning_rate", lr, "steps", steps, "batch_size", batch, "tie_policy", "drop",
                            "center_rewards_coefficient", center),
                    Map.of("world", "shapes", "pairs", usable.size(), "label_noise", noise), metrics, null, null),
                    BlockWeights.of(model));

            System.out.printf("%nimage reward model (%d steps x %d pairs, %.0f s, published %s)%n", steps, batch, trainSeconds, id);
            report(manager, model, tokenizer, fresh, unseen, noise);
            System.out.printf("normaliser: mean %.3f std %.3f%n", normalizer.mean(), normalizer.std());
        }
    }

    static void report(NDManager manager, ImageRewardModel model, ByteTokenizer tokenizer, List<ImagePair> fresh,
            List<ImagePair> unseen, double noise) {
        System.out.println("| label noise | pairs | accuracy, fresh images of training prompts | accuracy, unseen prompts |");
        System.out.println("|---|---|---|---|");
        for (Slice slice : Slice.values()) {
            System.out.printf("| %.0f%% | %s (%d / %d) | %.1f%% | %.1f%% |%n", noise * 100, slice.name().toLowerCase(),
                    fresh.stream().filter(slice::contains).count(), unseen.stream().filter(slice::contains).count(),
                    100 * accuracy(manager, model, tokenizer, fresh, slice), 100 * accuracy(manager, model, tokenizer, unseen, slice));
        }
    }

    /** Evaluates a published checkpoint on freshly drawn pairs (same seeds as training uses for its test pairs). */
    static void evaluateCheckpoint(Path storeDir, String checkpoint, double noise, long seed) {
        List<Prompt> heldOutPrompts = List.of(new Prompt(Colour.PURPLE, ShapeKind.CIRCLE),
                new Prompt(Colour.GREEN, ShapeKind.SQUARE), new Prompt(Colour.YELLOW, ShapeKind.TRIANGLE));
        List<Prompt> trainPrompts = Prompt.pretrained().stream().filter(p -> !heldOutPrompts.contains(p)).toList();
        ShapesOracle oracle = new ShapesOracle(SIZE);
        SimulatedLabeler labeler = new SimulatedLabeler(noise, seed + 1);
        Random random = new Random(seed + 1);
        List<ImagePair> fresh = pairs(trainPrompts, 2000, oracle, labeler, random);
        List<ImagePair> unseen = pairs(heldOutPrompts, 2000, oracle, labeler, random);
        try (NDManager manager = NDManager.newBaseManager()) {
            ImageRewardModel model = ModelFamilies.IMAGE_REWARD.load(new DirectoryCheckpointStore(storeDir),
                    CheckpointId.parse(checkpoint), manager);
            System.out.println(checkpoint + " on new pairs:");
            report(manager, model, new ByteTokenizer(), fresh, unseen, noise);
        }
    }

    /**
     * A candidate for a prompt: the asked colour 40% of the time, its systematic confusion 30%,
     * another colour otherwise; the asked shape half of the time.
     */
    static Scene candidate(Prompt p, Random random) {
        double u = random.nextDouble();
        Colour colour = u < 0.4 ? p.colour() : u < 0.7 ? p.colour().confusedWith()
                : Colour.values()[random.nextInt(Colour.values().length)];
        ShapeKind shape = random.nextBoolean() ? p.shape()
                : ShapeKind.PRETRAINED.get(random.nextInt(ShapeKind.PRETRAINED.size()));
        return PretrainingSet.randomScene(colour, shape, SIZE, random);
    }

    /** Pairs of candidates with different content (colour or shape), so that most have a clear winner. */
    public static List<ImagePair> pairs(List<Prompt> prompts, int n, ShapesOracle oracle, SimulatedLabeler labeler, Random random) {
        List<ImagePair> out = new ArrayList<>();
        while (out.size() < n) {
            Prompt p = prompts.get(random.nextInt(prompts.size()));
            Scene a = candidate(p, random);
            Scene b = candidate(p, random);
            if (a.colour() == b.colour() && a.shape() == b.shape()) {
                continue;
            }
            Judgment ja = oracle.judge(ShapeRenderer.render(a, SIZE), p);
            Judgment jb = oracle.judge(ShapeRenderer.render(b, SIZE), p);
            out.add(new ImagePair(p, a, b, labeler.judge(ja.score(), jb.score()), ja.score(), jb.score(), ja.aligned(), jb.aligned()));
        }
        return out;
    }

    /** Rows: the labeler's chosen images then the rejected ones, or (byLabel false) a's then b's. */
    public static NDList inputs(NDManager m, ImageRewardModel model, ByteTokenizer tokenizer, List<ImagePair> pairs,
            boolean byLabel) {
        List<Scene> scenes = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            for (ImagePair p : pairs) {
                boolean aFirst = !byLabel || p.choice() != Choice.B;
                scenes.add((side == 0) == aFirst ? p.a() : p.b());
                prompts.add(p.prompt().text());
            }
        }
        NDArray images = ShapesBatch.images(m, scenes, SIZE);
        return model.inputs(m, tokenizer, images, prompts);
    }

    /** r(a) − r(b) for each pair, scored 256 pairs at a time. */
    public static float[] margins(NDManager manager, ImageRewardModel model, ByteTokenizer tokenizer, List<ImagePair> pairs) {
        float[] out = new float[pairs.size()];
        for (int from = 0; from < pairs.size(); from += 256) {
            List<ImagePair> chunk = pairs.subList(from, Math.min(pairs.size(), from + 256));
            try (NDManager sub = manager.newSubManager()) {
                float[] r = RewardTrainer.score(model, sub, inputs(sub, model, tokenizer, chunk, false));
                for (int i = 0; i < chunk.size(); i++) {
                    out[from + i] = r[i] - r[chunk.size() + i];
                }
            }
        }
        return out;
    }

    /** Agreement with the oracle's order on the pairs of a slice. */
    static double accuracy(NDManager manager, ImageRewardModel model, ByteTokenizer tokenizer, List<ImagePair> pairs, Slice slice) {
        int correct = 0;
        int counted = 0;
        for (int start = 0; start < pairs.size(); start += 256) {
            List<ImagePair> chunk = pairs.subList(start, Math.min(pairs.size(), start + 256));
            try (NDManager sub = manager.newSubManager()) {
                float[] r = RewardTrainer.score(model, sub, inputs(sub, model, tokenizer, chunk, false));
                for (int i = 0; i < chunk.size(); i++) {
                    ImagePair p = chunk.get(i);
                    if (slice.contains(p)) {
                        counted++;
                        correct += (r[i] > r[chunk.size() + i]) == (p.scoreA() > p.scoreB()) ? 1 : 0;
                    }
                }
            }
        }
        return correct / (double) counted;
    }

    /** Rewards of a fixed set of candidate images over every prompt: the normaliser's reference set. */
    private static float[] referenceRewards(NDManager manager, ImageRewardModel model, ByteTokenizer tokenizer) {
        Random random = new Random(12345);
        List<Scene> scenes = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        for (Prompt p : Prompt.pretrained()) {
            for (int i = 0; i < 16; i++) {
                scenes.add(candidate(p, random));
                prompts.add(p.text());
            }
        }
        try (NDManager sub = manager.newSubManager()) {
            return RewardTrainer.score(model, sub, model.inputs(sub, tokenizer, ShapesBatch.images(sub, scenes, SIZE), prompts));
        }
    }
}
