package io.prefloop.experiments.active;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.experiments.Arguments;
import io.prefloop.experiments.SeedStatistics;
import io.prefloop.experiments.replies.RepliesRewardExperiment;
import io.prefloop.experiments.shapes.ShapesRewardExperiment;
import io.prefloop.experiments.shapes.ShapesRewardExperiment.ImagePair;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.labeling.Choice;
import io.prefloop.model.labeling.SimulatedLabeler;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.replies.RepliesWorld;
import io.prefloop.model.replies.ReplyOracle;
import io.prefloop.model.replies.ReplyPairs;
import io.prefloop.model.replies.Style;
import io.prefloop.model.reward.BradleyTerryLoss;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.ImageRewardSpec;
import io.prefloop.model.reward.RewardTrainer;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.reward.TiePolicy;
import io.prefloop.model.shapes.Colour;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.Scene;
import io.prefloop.model.shapes.ShapeKind;
import io.prefloop.model.shapes.ShapesBatch;
import io.prefloop.model.shapes.ShapesOracle;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.TransformerLm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Active pair selection against FIFO, offline (docs/loop.md): with the same labelling budget, does
 * serving the open pair the current reward model is least sure about (smallest |P(a ≻ b) − 0.5|,
 * P = σ(r(a) − r(b))), with a share of uniformly random pairs kept, give a better Bradley–Terry
 * reward model than serving the oldest pair first?
 *
 * <p>Per world and seed: one pool of candidate pairs made as the world's reward experiment makes
 * them ({@link ShapesRewardExperiment#pairs}, {@link ReplyPairs#sample}), in random order, so FIFO
 * is uniform random selection; and a fixed evaluation set of fresh pairs on the training prompts
 * (questions), scored against the oracle without noise on the pairs it strictly orders. Every pool
 * pair's label is drawn once, up front, by the world's {@link SimulatedLabeler} (10% flipped): the
 * flip does not depend on which pair is asked, so drawing it when the pair is served would give the
 * same labels, and both arms see exactly the same label for a pair they both pick.
 *
 * <p>Rounds: both arms start from the same first {@code --start} pool pairs; each round trains a
 * reward model <b>from scratch</b> (the same initial weights for both arms at a seed: from the base
 * language model with a seeded head in the replies world, seeded random init in the shapes world)
 * for a fixed {@code --steps} minibatches on every label so far (ties dropped, as the reward
 * experiments do; a tie still costs a comparison), records held-out accuracy, then labels the next
 * {@code --batch} pairs. FIFO takes the next pairs in pool order. Uncertainty re-scores every open
 * pair with the model just trained (the platform refreshes scores when a reward model is promoted,
 * here after every round) and takes the {@code (1 − random-share)} share of the batch with the
 * smallest |P − 0.5|, the rest uniformly at random from the other open pairs. Retraining from
 * scratch rather than warm-starting keeps each point of the curve a function of the labelled set
 * only (not of the order it came in), which is what the comparison is about; the fixed step count
 * is the same for both arms at every budget.
 *
 * <p>Besides accuracy it prints what each arm ended up labelling: the share of ties (wasted
 * comparisons), of flipped labels among decisive pairs, and the mean oracle gap |score(a) − score(b)|.
 *
 * <pre>java ... io.prefloop.experiments.active.ActiveSelectionExperiment --world shapes --seeds 1,2,3</pre>
 */
public final class ActiveSelectionExperiment {

    private ActiveSelectionExperiment() {}

    enum Arm { FIFO, UNCERTAINTY }

    /** One world's pairs, model and training; P is the world's labelled-pair type. */
    abstract static class World<P> {
        final List<P> pool;
        final List<P> eval;

        World(List<P> pool, List<P> eval) {
            this.pool = pool;
            this.eval = eval;
        }

        abstract Choice verdict(P p);

        abstract double scoreA(P p);

        abstract double scoreB(P p);

        /** A fresh model, the same for a given seed. */
        abstract Block newModel(NDManager m, long seed);

        abstract OptimizerStep optimizer(Block model, int steps);

        /** 2n rows: the labeler's chosen items, then the rejected ones. */
        abstract NDList trainInputs(NDManager m, Block model, List<P> pairs);

        /** r(a) − r(b) for each pair. */
        abstract float[] margins(NDManager m, Block model, List<P> pairs);

        abstract double center();

        boolean decisive(P p) {
            return scoreA(p) != scoreB(p);
        }
    }

    public static void main(String[] args) {
        Arguments o = new Arguments(args);
        String worldName = o.string("world", "shapes");
        long[] seeds = Arrays.stream(o.string("seeds", "1,2,3").split(",")).mapToLong(Long::parseLong).toArray();
        boolean shapes = worldName.equals("shapes");
        int poolSize = o.integer("pool", shapes ? 4000 : 3000);
        int evalSize = o.integer("eval", 2000);
        int start = o.integer("start", 32);
        int batch = o.integer("batch", 32);
        int budget = o.integer("budget", 512);
        int steps = o.integer("steps", shapes ? 400 : 300);
        int minibatch = o.integer("minibatch", 32);
        double lr = o.number("lr", shapes ? 2e-3 : 3e-4);
        double randomShare = o.number("random-share", 0.2);
        double noise = o.number("noise", 0.1);
        String arms = o.string("arms", "fifo,uncertainty");
        Path storeDir = Path.of(o.string("store", "shared-model/checkpoints"));
        String base = o.string("base", "replies-base/v0001");
        if (!o.finish(System.out)) {
            return;
        }
        if (!shapes && !worldName.equals("replies")) {
            throw new Arguments.UsageException("--world takes shapes or replies, got '" + worldName + "'");
        }
        if (start <= 0 || batch <= 0 || budget < start || budget > poolSize || !(randomShare >= 0 && randomShare <= 1)) {
            throw new Arguments.UsageException("need 0 < start <= budget <= pool, batch > 0, random-share in [0, 1]");
        }
        List<Arm> armList = Arrays.stream(arms.split(",")).map(a -> Arm.valueOf(a.trim().toUpperCase())).toList();
        List<Integer> budgets = new ArrayList<>();
        for (int n = start; n <= budget; n += batch) {
            budgets.add(n);
        }
        System.out.printf("world %s, seeds %s, pool %d, eval %d, start %d, batch %d, budget %d, %d steps x %d from scratch"
                + " per round, lr %s, random share %.2f, noise %.2f%n", worldName, Arrays.toString(seeds), poolSize,
                evalSize, start, batch, budget, steps, minibatch, lr, randomShare, noise);

        // accuracy[arm][seed][round]
        Map<Arm, double[][]> accuracy = new LinkedHashMap<>();
        for (Arm arm : armList) {
            accuracy.put(arm, new double[seeds.length][budgets.size()]);
        }
        long t0 = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm baseModel = shapes ? null
                    : LanguageModelCheckpoints.load(new DirectoryCheckpointStore(storeDir), CheckpointId.parse(base), manager);
            for (int s = 0; s < seeds.length; s++) {
                long seed = seeds[s];
                World<?> world = shapes ? shapesWorld(seed, poolSize, evalSize, noise, lr)
                        : repliesWorld(seed, poolSize, evalSize, noise, lr, baseModel);
                for (Arm arm : armList) {
                    long runStart = System.nanoTime();
                    double[] curve = run(manager, world, arm, seed, budgets, batch, steps, minibatch, randomShare);
                    accuracy.get(arm)[s] = curve;
                    System.out.printf("seed %d %s: %s (%.0f s)%n", seed, arm.name().toLowerCase(), format(curve),
                            (System.nanoTime() - runStart) / 1e9);
                }
            }
        }
        System.out.printf("%ntotal %.0f s%n%n", (System.nanoTime() - t0) / 1e9);
        printTable(worldName, budgets, accuracy, seeds.length);
    }

    private static String format(double[] curve) {
        StringBuilder sb = new StringBuilder();
        for (double v : curve) {
            sb.append(String.format("%.1f ", 100 * v));
        }
        return sb.toString().trim();
    }

    static void printTable(String world, List<Integer> budgets, Map<Arm, double[][]> accuracy, int nSeeds) {
        System.out.printf("%s world, held-out accuracy against the oracle (decisive pairs), %d seeds: mean ± sd (worst)%n%n",
                world, nSeeds);
        boolean both = accuracy.containsKey(Arm.FIFO) && accuracy.containsKey(Arm.UNCERTAINTY);
        StringBuilder header = new StringBuilder("| comparisons labelled |");
        StringBuilder rule = new StringBuilder("|---|");
        for (Arm arm : accuracy.keySet()) {
            header.append(' ').append(arm == Arm.FIFO ? "FIFO" : "uncertainty").append(" |");
            rule.append("---|");
        }
        if (both) {
            header.append(" difference (uncertainty − FIFO), mean ± sd (worst) |");
            rule.append("---|");
        }
        System.out.println(header);
        System.out.println(rule);
        for (int r = 0; r < budgets.size(); r++) {
            StringBuilder row = new StringBuilder("| " + budgets.get(r) + " |");
            for (double[][] a : accuracy.values()) {
                row.append(' ').append(cell(column(a, r))).append(" |");
            }
            if (both) {
                double[] f = column(accuracy.get(Arm.FIFO), r);
                double[] u = column(accuracy.get(Arm.UNCERTAINTY), r);
                double[] d = new double[f.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = u[i] - f[i];
                }
                row.append(String.format(" %+.1f ± %.1f (%+.1f) |", 100 * SeedStatistics.mean(d), 100 * SeedStatistics.sd(d),
                        100 * SeedStatistics.min(d)));
            }
            System.out.println(row);
        }
    }

    private static double[] column(double[][] a, int r) {
        double[] c = new double[a.length];
        for (int s = 0; s < a.length; s++) {
            c[s] = a[s][r];
        }
        return c;
    }

    private static String cell(double[] v) {
        return String.format("%.1f ± %.1f (%.1f)", 100 * SeedStatistics.mean(v), 100 * SeedStatistics.sd(v),
                100 * SeedStatistics.min(v));
    }

    /** One arm at one seed: the accuracy after each round. */
    static <P> double[] run(NDManager manager, World<P> world, Arm arm, long seed, List<Integer> budgets, int batch,
            int steps, int minibatch, double randomShare) {
        List<P> pool = world.pool;
        boolean[] taken = new boolean[pool.size()];
        List<P> labelled = new ArrayList<>();
        int next = 0; // FIFO cursor
        for (int i = 0; i < budgets.get(0); i++) {
            labelled.add(pool.get(i));
            taken[i] = true;
        }
        next = budgets.get(0);
        Random selection = new Random(seed * 7919 + 17);
        Random sampling = new Random(seed * 104729 + 3);
        double[] curve = new double[budgets.size()];
        for (int r = 0; r < budgets.size(); r++) {
            List<P> usable = labelled.stream().filter(p -> world.verdict(p) != Choice.TIE).toList();
            boolean last = r == budgets.size() - 1;
            try (NDManager m = manager.newSubManager()) {
                Block model = world.newModel(m, seed);
                RewardTrainer trainer = new RewardTrainer(model, new BradleyTerryLoss(TiePolicy.DROP, world.center()),
                        world.optimizer(model, steps));
                for (int step = 0; step < steps; step++) {
                    List<P> mb = new ArrayList<>(minibatch);
                    for (int i = 0; i < minibatch; i++) {
                        mb.add(usable.get(sampling.nextInt(usable.size())));
                    }
                    try (NDManager sub = m.newSubManager()) {
                        trainer.step(sub, world.trainInputs(sub, model, mb), null, null);
                    }
                }
                curve[r] = accuracy(world, world.margins(m, model, world.eval), world.eval);
                System.out.printf("  seed %d %s, %d labelled (%d without ties): %.1f%%%n", seed, arm.name().toLowerCase(),
                        labelled.size(), usable.size(), 100 * curve[r]);
                if (last) {
                    break;
                }
                int want = budgets.get(r + 1) - budgets.get(r);
                if (arm == Arm.FIFO) {
                    for (int i = 0; i < want; i++) {
                        labelled.add(pool.get(next));
                        taken[next++] = true;
                    }
                } else {
                    List<Integer> open = new ArrayList<>();
                    for (int i = 0; i < pool.size(); i++) {
                        if (!taken[i]) {
                            open.add(i);
                        }
                    }
                    List<P> openPairs = open.stream().map(pool::get).toList();
                    float[] margin = world.margins(m, model, openPairs);
                    Integer[] order = new Integer[open.size()];
                    for (int i = 0; i < order.length; i++) {
                        order[i] = i;
                    }
                    // |σ(Δ) − 0.5| is increasing in |Δ|: rank by |Δ|
                    Arrays.sort(order, Comparator.comparingDouble(i -> Math.abs(margin[i])));
                    int uncertain = (int) Math.round(want * (1 - randomShare));
                    List<Integer> chosen = new ArrayList<>();
                    for (int i = 0; i < uncertain; i++) {
                        chosen.add(open.get(order[i]));
                    }
                    List<Integer> rest = new ArrayList<>();
                    for (int i = uncertain; i < order.length; i++) {
                        rest.add(open.get(order[i]));
                    }
                    Collections.shuffle(rest, selection);
                    chosen.addAll(rest.subList(0, want - uncertain));
                    for (int i : chosen) {
                        labelled.add(pool.get(i));
                        taken[i] = true;
                    }
                }
            }
        }
        describe(world, arm, seed, labelled, budgets.get(0));
        return curve;
    }

    /** What the arm labelled after the shared start: ties, flipped labels, oracle gaps. */
    private static <P> void describe(World<P> world, Arm arm, long seed, List<P> labelled, int start) {
        List<P> picked = labelled.subList(start, labelled.size());
        long ties = picked.stream().filter(p -> world.verdict(p) == Choice.TIE).count();
        List<P> decisive = picked.stream().filter(world::decisive).toList();
        long flipped = decisive.stream().filter(p -> (world.verdict(p) == Choice.A) != (world.scoreA(p) > world.scoreB(p))).count();
        double gap = decisive.stream().mapToDouble(p -> Math.abs(world.scoreA(p) - world.scoreB(p))).average().orElse(0);
        System.out.printf("seed %d %s: of %d pairs labelled after the start, %.1f%% ties (no training signal), "
                + "%.1f%% of decisive labels flipped, mean oracle gap %.3f%n", seed, arm.name().toLowerCase(),
                picked.size(), 100.0 * ties / picked.size(), 100.0 * flipped / Math.max(1, decisive.size()), gap);
    }

    private static <P> double accuracy(World<P> world, float[] margins, List<P> pairs) {
        int correct = 0;
        int counted = 0;
        for (int i = 0; i < pairs.size(); i++) {
            P p = pairs.get(i);
            if (world.decisive(p)) {
                counted++;
                correct += (margins[i] > 0) == (world.scoreA(p) > world.scoreB(p)) ? 1 : 0;
            }
        }
        return correct / (double) counted;
    }

    // ---------------------------------------------------------------- shapes

    static World<ImagePair> shapesWorld(long seed, int poolSize, int evalSize, double noise, double lr) {
        List<Prompt> heldOut = List.of(new Prompt(Colour.PURPLE, ShapeKind.CIRCLE),
                new Prompt(Colour.GREEN, ShapeKind.SQUARE), new Prompt(Colour.YELLOW, ShapeKind.TRIANGLE));
        List<Prompt> trainPrompts = Prompt.pretrained().stream().filter(p -> !heldOut.contains(p)).toList();
        int size = ShapesRewardExperiment.SIZE;
        ShapesOracle oracle = new ShapesOracle(size);
        SimulatedLabeler labeler = new SimulatedLabeler(noise, seed);
        Random random = new Random(seed);
        List<ImagePair> pool = ShapesRewardExperiment.pairs(trainPrompts, poolSize, oracle, labeler, random);
        List<ImagePair> eval = ShapesRewardExperiment.pairs(trainPrompts, evalSize, oracle, labeler, random);
        ByteTokenizer tokenizer = new ByteTokenizer();
        return new World<>(pool, eval) {
            @Override
            Choice verdict(ImagePair p) {
                return p.choice();
            }

            @Override
            double scoreA(ImagePair p) {
                return p.scoreA();
            }

            @Override
            double scoreB(ImagePair p) {
                return p.scoreB();
            }

            @Override
            Block newModel(NDManager m, long s) {
                ai.djl.engine.Engine.getInstance().setRandomSeed((int) s);
                return ImageRewardModel.create(ImageRewardSpec.shapes(tokenizer.vocabSize()), m);
            }

            @Override
            OptimizerStep optimizer(Block model, int steps) {
                return OptimizerStep.adamCosine(model, (float) lr, steps);
            }

            @Override
            double center() {
                return 0.01;
            }

            @Override
            NDList trainInputs(NDManager m, Block model, List<ImagePair> pairs) {
                return ShapesRewardExperiment.inputs(m, (ImageRewardModel) model, tokenizer, pairs, true);
            }

            @Override
            float[] margins(NDManager m, Block model, List<ImagePair> pairs) {
                return ShapesRewardExperiment.margins(m, (ImageRewardModel) model, tokenizer, pairs);
            }
        };
    }

    // ---------------------------------------------------------------- replies

    static World<ReplyPairs.LabeledPair> repliesWorld(long seed, int poolSize, int evalSize, double noise, double lr,
            TransformerLm base) {
        RepliesWorld world = RepliesWorld.standard();
        ReplyOracle oracle = new ReplyOracle(world, Style.FORMAL);
        SimulatedLabeler labeler = new SimulatedLabeler(noise, seed);
        Random random = new Random(seed);
        List<ReplyPairs.LabeledPair> pool = ReplyPairs.sample(world, oracle, labeler, world.trainQuestions(), poolSize, random);
        List<ReplyPairs.LabeledPair> eval = ReplyPairs.sample(world, oracle, labeler, world.trainQuestions(), evalSize, random);
        ByteTokenizer tokenizer = new ByteTokenizer();
        return new World<>(pool, eval) {
            @Override
            Choice verdict(ReplyPairs.LabeledPair p) {
                return p.verdict();
            }

            @Override
            double scoreA(ReplyPairs.LabeledPair p) {
                return p.scoreA();
            }

            @Override
            double scoreB(ReplyPairs.LabeledPair p) {
                return p.scoreB();
            }

            @Override
            Block newModel(NDManager m, long s) {
                ai.djl.engine.Engine.getInstance().setRandomSeed((int) s);
                return TextRewardModel.fromLanguageModel(base, m);
            }

            @Override
            OptimizerStep optimizer(Block model, int steps) {
                return OptimizerStep.adam(model, (float) lr);
            }

            @Override
            double center() {
                return 0;
            }

            @Override
            NDList trainInputs(NDManager m, Block model, List<ReplyPairs.LabeledPair> pairs) {
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
                return ((TextRewardModel) model).inputs(m, tokenizer, prompts, replies);
            }

            @Override
            float[] margins(NDManager m, Block model, List<ReplyPairs.LabeledPair> pairs) {
                return RepliesRewardExperiment.margins(m, (TextRewardModel) model, tokenizer, pairs);
            }
        };
    }
}
