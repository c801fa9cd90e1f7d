package io.prefloop.experiments.replies;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.prefloop.experiments.Arguments;
import io.prefloop.experiments.SeedStatistics;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.replies.Question;
import io.prefloop.model.replies.RepliesModels;
import io.prefloop.model.replies.RepliesWorld;
import io.prefloop.model.replies.ReplyOracle;
import io.prefloop.model.replies.Style;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.LanguageModels;
import io.prefloop.model.text.SftTrainer;
import io.prefloop.model.text.TransformerLm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * SFT in the replies world (docs/rl.md, "SFT"): a few hundred demonstrations written in the formal
 * style with the right answer, on the training questions only; SFT from the committed base, then how
 * often the tuned model's samples are formal, well-formed and correct, on every question and on the
 * held-out ones. One row per seed, then the mean ± sd and the worst seed.
 *
 * <pre>java ... io.prefloop.experiments.replies.RepliesSftExperiment --seeds 1,2,3</pre>
 */
public final class RepliesSftExperiment {

    private RepliesSftExperiment() {}

    public static void main(String[] args) {
        Arguments o = new Arguments(args);
        Path storeDir = Path.of(o.string("store", "shared-model/checkpoints"));
        CheckpointId baseId = CheckpointId.parse(o.string("base", RepliesModels.BASE_MODEL + "/v0001"));
        int demonstrations = o.integer("demonstrations", 300);
        int evalSamples = o.integer("eval-samples", 16);
        float lr = (float) o.number("lr", 1e-4);
        int steps = o.integer("steps", 100);
        int batch = o.integer("batch", 16);
        String seedList = o.string("seeds", "1,2,3");
        if (!o.finish(System.out)) {
            return;
        }
        RepliesWorld world = RepliesWorld.standard();
        ByteTokenizer tokenizer = new ByteTokenizer();
        ReplyOracle oracle = new ReplyOracle(world, Style.FORMAL);
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(storeDir);
        List<double[]> results = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm base = LanguageModelCheckpoints.load(store, baseId, manager);
            RepliesDpoExperiment.Evaluation before = RepliesDpoExperiment.evaluate(manager, base, tokenizer, world, oracle,
                    evalSamples, 1000);
            System.out.println("| model | seed | formal (all) | formal (held-out) | well-formed | correct | seconds |");
            System.out.println("|---|---|---|---|---|---|---|");
            row("base", "–", before, 0);
            for (String s : seedList.split(",")) {
                long seed = Long.parseLong(s.trim());
                Engine.getInstance().setRandomSeed((int) seed);
                Random random = new Random(seed);
                List<SftTrainer.Example> demos = formalDemonstrations(world, demonstrations, random);
                long start = System.nanoTime();
                try (NDManager run = manager.newSubManager()) {
                    TransformerLm policy = LanguageModels.copy(base, run);
                    SftTrainer trainer = new SftTrainer(policy, null, tokenizer, OptimizerStep.adam(policy, lr).clipGradNorm(1.0));
                    for (int step = 0; step < steps; step++) {
                        List<SftTrainer.Example> minibatch = new ArrayList<>(batch);
                        for (int i = 0; i < batch; i++) {
                            minibatch.add(demos.get(random.nextInt(demos.size())));
                        }
                        trainer.step(run, minibatch);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    RepliesDpoExperiment.Evaluation after = RepliesDpoExperiment.evaluate(run, policy, tokenizer, world,
                            oracle, evalSamples, 1000);
                    row("SFT", Long.toString(seed), after, seconds);
                    results.add(new double[] {after.all().preferredRate() - before.all().preferredRate(),
                            after.all().wellFormedRate()});
                }
            }
        }
        double[] gains = results.stream().mapToDouble(r -> 100 * r[0]).toArray();
        double[] formed = results.stream().mapToDouble(r -> r[1]).toArray();
        System.out.printf("%nSFT on %d formal demonstrations (lr %s, %d steps x %d): formal rate %+.1f ± %.1f points"
                + " (worst %+.1f), well-formed %.3f (worst %.3f), %d seeds%n", demonstrations, lr, steps, batch,
                SeedStatistics.mean(gains), SeedStatistics.sd(gains), SeedStatistics.min(gains),
                SeedStatistics.mean(formed), SeedStatistics.min(formed), gains.length);
    }

    private static void row(String model, String seed, RepliesDpoExperiment.Evaluation e, double seconds) {
        System.out.printf("| %s | %s | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.0f |%n", model, seed,
                100 * e.all().preferredRate(), 100 * e.heldOut().preferredRate(), 100 * e.all().wellFormedRate(),
                100 * e.all().correctRate(), seconds);
    }




    /** {@code n} demonstrations in the formal style with the right answer, of random training questions. */
    static List<SftTrainer.Example> formalDemonstrations(RepliesWorld world, int n, Random random) {
        List<SftTrainer.Example> demos = new ArrayList<>();
        List<Question> questions = world.trainQuestions();
        for (int i = 0; i < n; i++) {
            Question q = questions.get(random.nextInt(questions.size()));
            demos.add(new SftTrainer.Example(q.prompt(), world.reply(q, Style.FORMAL, q.answer(), random)));
        }
        return demos;
    }
}
