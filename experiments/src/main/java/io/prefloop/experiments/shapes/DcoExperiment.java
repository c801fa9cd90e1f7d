package io.prefloop.experiments.shapes;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.tracker.Tracker;
import io.prefloop.experiments.Arguments;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.diffusion.DcoLoss;
import io.prefloop.model.diffusion.DcoTrainer;
import io.prefloop.model.diffusion.DenoisingTrainer;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.shapes.AlignmentEval;
import io.prefloop.model.shapes.Colour;
import io.prefloop.model.shapes.PretrainingSet;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.Scene;
import io.prefloop.model.shapes.ShapeKind;
import io.prefloop.model.shapes.ShapesBatch;
import io.prefloop.model.shapes.ShapesModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The DCO personalisation experiment (docs/diffusion.md, "DCO personalisation experiment"): teach
 * the base a shape it never saw (the ring) from five captioned reference images in two colours, by
 * plain fine-tuning (denoising loss) and by DCO against the frozen base, then prompt rings in the
 * three colours absent from the references.
 * Subject fidelity = oracle sees a ring; colour adherence = oracle sees the prompted colour. DCO is
 * sampled with reward guidance at several w_rg (0 = the base, 1 = the tuned model alone when
 * w_text = 1).
 *
 * <pre>
 * java ... io.prefloop.experiments.shapes.DcoExperiment --store shared-model/checkpoints --steps 800
 * </pre>
 */
public final class DcoExperiment {

    public static void main(String[] argv) {
        Arguments a = new Arguments(argv);
        Path storeDir = Path.of(a.string("store", "shared-model/checkpoints"));
        CheckpointId baseId = CheckpointId.parse(a.string("base", ShapesModel.BASE.toString()));
        int steps = a.integer("steps", 800);
        double lr = a.number("lr", 1e-4);
        double beta = a.number("beta", 500);
        double cfg = a.number("cfg", 3);
        int evalN = a.integer("eval", 150);
        long seed = a.integer("seed", 11);
        if (!a.finish(System.out)) {
            return;
        }
        Engine.getInstance().setRandomSeed((int) seed);
        int size = ShapesModel.IMAGE_SIZE;
        // five references in two colours, so that no single colour binds to the new word
        List<Prompt> refPrompts = List.of(new Prompt(Colour.GREEN, ShapeKind.RING), new Prompt(Colour.GREEN, ShapeKind.RING),
                new Prompt(Colour.GREEN, ShapeKind.RING), new Prompt(Colour.YELLOW, ShapeKind.RING),
                new Prompt(Colour.YELLOW, ShapeKind.RING));
        List<Prompt> unseen = List.of(new Prompt(Colour.RED, ShapeKind.RING), new Prompt(Colour.BLUE, ShapeKind.RING),
                new Prompt(Colour.PURPLE, ShapeKind.RING));
        Random sceneRng = new Random(seed);
        List<Scene> scenes = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (Prompt p : refPrompts) {
            scenes.add(PretrainingSet.randomScene(p.colour(), ShapeKind.RING, size, sceneRng));
            captions.add(p.text());
        }
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(storeDir);
        long t0 = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager()) {
            UNet base = ShapesModel.load(store, baseId, m);
            base.freezeParameters(true);
            NDArray images = ShapesBatch.images(m, scenes, size);
            NDArray tokens = base.spec().tokenizer().encode(m, captions);
            SamplerSettings s = SamplerSettings.ddim(25, cfg);

            report("base", new Sampler(base, null, base.spec()), m, unseen, refPrompts, evalN, s, t0);

            UNet plain = ShapesModel.frozenCopy(base, m);
            plain.freezeParameters(false);
            DenoisingTrainer ft = new DenoisingTrainer(plain, OptimizerStep.adam(plain, Tracker.fixed((float) lr)), 0, m);
            Random rng = new Random(seed + 1);
            for (int i = 0; i < steps; i++) {
                ft.step(images, tokens, rng);
            }
            plain.freezeParameters(true);
            report("plain fine-tuning", new Sampler(plain, null, plain.spec()), m, unseen, refPrompts, evalN, s, t0);

            UNet dco = ShapesModel.frozenCopy(base, m);
            dco.freezeParameters(false);
            DcoTrainer dt = new DcoTrainer(dco, base, new DcoLoss(beta), OptimizerStep.adam(dco, Tracker.fixed((float) lr)), m);
            rng = new Random(seed + 1);
            double lastLoss = 0;
            for (int i = 0; i < steps; i++) {
                lastLoss = dt.step(images, tokens, rng).metric("loss");
            }
            dco.freezeParameters(true);
            System.out.printf("dco final loss %.4f%n", lastLoss);
            report("DCO (w_rg 1, w_text " + cfg + ": the tuned model with CFG)", new Sampler(dco, null, dco.spec()), m,
                    unseen, refPrompts, evalN, s, t0);
            for (double wrg : new double[] {1, 2, 3, 5}) {
                report("DCO + reward guidance w_rg " + wrg, new Sampler(base, dco, base.spec()), m, unseen, refPrompts,
                        evalN, s.withRewardGuidance(wrg), t0);
            }
        }
    }

    private static void report(String name, Sampler sampler, NDManager m, List<Prompt> unseen, List<Prompt> seen,
            int n, SamplerSettings s, long t0) {
        AlignmentEval.Result u = AlignmentEval.run(sampler, m, unseen, n, 20_000_000, s, 75);
        AlignmentEval.Result r = AlignmentEval.run(sampler, m, List.of(seen.get(0), seen.get(3)), n / 3 * 2, 30_000_000, s, 100);
        System.out.printf("| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f s |%n", name,
                u.shapeAccuracy(), u.colourAccuracy(), u.alignment(), r.shapeAccuracy(), r.alignment(),
                (System.nanoTime() - t0) / 1e9);
    }
}
