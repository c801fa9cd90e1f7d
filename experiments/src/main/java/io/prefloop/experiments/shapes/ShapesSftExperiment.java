package io.prefloop.experiments.shapes;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.tracker.Tracker;
import io.prefloop.experiments.Arguments;
import io.prefloop.experiments.SeedStatistics;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.diffusion.DenoisingComparison;
import io.prefloop.model.diffusion.DenoisingTrainer;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.shapes.AlignmentEval;
import io.prefloop.model.shapes.PretrainingSet;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.Scene;
import io.prefloop.model.shapes.ShapesBatch;
import io.prefloop.model.shapes.ShapesModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SFT in the shapes world (docs/rl.md, "SFT"): a few hundred demonstration images drawn in the right
 * colour (the base confuses colours a fixed way), SFT of the committed base with the denoising loss
 * and prompt dropout, then the oracle's alignment of the tuned model's samples and its denoising
 * error on fresh right-colour images against the base's. One row per seed, then the mean ± sd and
 * the worst seed.
 *
 * <pre>java ... io.prefloop.experiments.shapes.ShapesSftExperiment --seeds 1,2,3</pre>
 */
public final class ShapesSftExperiment {

    private ShapesSftExperiment() {}

    public static void main(String[] argv) {
        Arguments a = new Arguments(argv);
        Path storeDir = Path.of(a.string("store", "shared-model/checkpoints"));
        CheckpointId baseId = CheckpointId.parse(a.string("base", ShapesModel.BASE.toString()));
        int demonstrations = a.integer("demonstrations", 300);
        int steps = a.integer("steps", 100);
        int batch = a.integer("batch", 16);
        double lr = a.number("lr", 1e-4);
        double promptDropout = a.number("prompt-dropout", 0.1);
        int evalN = a.integer("eval", 240);
        double cfg = a.number("cfg", 3);
        String seedList = a.string("seeds", "1,2,3");
        if (!a.finish(System.out)) {
            return;
        }
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(storeDir);
        SamplerSettings settings = SamplerSettings.ddim(25, cfg);
        List<double[]> results = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            UNet base = ShapesModel.load(store, baseId, m);
            base.freezeParameters(true);
            List<Prompt> prompts = Prompt.pretrained();
            AlignmentEval.Result baseEval = AlignmentEval.run(new Sampler(base, null, base.spec()), m, prompts, evalN,
                    5_000_000, settings, 80);
            System.out.println("| model | seed | alignment | colour | shape | denoising error vs base | seconds |");
            System.out.println("|---|---|---|---|---|---|---|");
            System.out.printf("| base | – | %.3f | %.3f | %.3f | – | – |%n", baseEval.alignment(),
                    baseEval.colourAccuracy(), baseEval.shapeAccuracy());
            PretrainingSet right = new PretrainingSet(0, ShapesModel.IMAGE_SIZE);
            for (String s : seedList.split(",")) {
                long seed = Long.parseLong(s.trim());
                Engine.getInstance().setRandomSeed((int) seed);
                Random random = new Random(seed);
                List<PretrainingSet.Example> demos = right.batch(demonstrations, random);
                long start = System.nanoTime();
                try (NDManager run = m.newSubManager()) {
                    UNet policy = ShapesModel.frozenCopy(base, run);
                    policy.freezeParameters(false);
                    OptimizerStep optimizer = OptimizerStep.adam(policy, Tracker.fixed((float) lr)).clipGradNorm(1.0);
                    DenoisingTrainer trainer = new DenoisingTrainer(policy, optimizer, promptDropout, run);
                    for (int step = 0; step < steps; step++) {
                        List<PretrainingSet.Example> minibatch = new ArrayList<>(batch);
                        for (int i = 0; i < batch; i++) {
                            minibatch.add(demos.get(random.nextInt(demos.size())));
                        }
                        try (NDManager sm = run.newSubManager()) {
                            trainer.step(images(sm, minibatch), policy.spec().tokenizer().encode(sm, texts(minibatch)),
                                    random);
                        }
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    AlignmentEval.Result eval = AlignmentEval.run(new Sampler(policy, null, policy.spec()), run, prompts,
                            evalN, 5_000_000, settings, 80);
                    List<PretrainingSet.Example> fresh = right.batch(128, new Random(99));
                    Map<String, Double> mse;
                    try (NDManager sm = run.newSubManager()) {
                        mse = DenoisingComparison.of(policy, base, policy.spec().noiseSchedule(), images(sm, fresh),
                                policy.spec().tokenizer().encode(sm, texts(fresh)), new Random(7));
                    }
                    double regression = mse.get("model_mse") / mse.get("ref_mse") - 1;
                    System.out.printf("| SFT | %d | %.3f | %.3f | %.3f | %+.3f | %.0f |%n", seed, eval.alignment(),
                            eval.colourAccuracy(), eval.shapeAccuracy(), regression, seconds);
                    results.add(new double[] {100 * (eval.alignment() - baseEval.alignment()), regression});
                }
            }
        }
        double[] gains = results.stream().mapToDouble(r -> r[0]).toArray();
        System.out.printf("%nSFT on %d right-colour demonstrations (lr %s, %d steps x %d, prompt dropout %s): alignment"
                + " %+.1f ± %.1f points (worst %+.1f), %d seeds%n", demonstrations, lr, steps, batch, promptDropout,
                SeedStatistics.mean(gains), SeedStatistics.sd(gains), java.util.Arrays.stream(gains).min().orElse(Double.NaN), gains.length);
    }

    private static NDArray images(NDManager m, List<PretrainingSet.Example> examples) {
        List<Scene> scenes = examples.stream().map(PretrainingSet.Example::scene).toList();
        return ShapesBatch.images(m, scenes, ShapesModel.IMAGE_SIZE);
    }

    private static List<String> texts(List<PretrainingSet.Example> examples) {
        return examples.stream().map(e -> e.prompt().text()).toList();
    }


}
