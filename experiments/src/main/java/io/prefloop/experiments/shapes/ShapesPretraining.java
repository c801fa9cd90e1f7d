package io.prefloop.experiments.shapes;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.tracker.Tracker;
import io.prefloop.experiments.Arguments;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.diffusion.DenoisingTrainer;
import io.prefloop.model.diffusion.Ema;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.diffusion.UNetSpec;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.shapes.AlignmentEval;
import io.prefloop.model.shapes.PretrainingSet;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.Scene;
import io.prefloop.model.shapes.ShapesBatch;
import io.prefloop.model.shapes.ShapesModel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Makes the base checkpoint of the shapes world: pretrains {@link ShapesModel#spec()} on
 * {@link PretrainingSet} (colours wrong in a systematic way a set fraction of the time) with the
 * denoising loss and prompt dropout, keeps an EMA of the weights, measures the EMA model's
 * alignment at several guidance scales, and publishes the EMA weights as
 * {@code <store>/shapes-unet/<version>}.
 *
 * <pre>
 * OMP_NUM_THREADS=1 java -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 \
 *   -cp experiments/target/classes:$(cat experiments/target/classpath.txt) \
 *   io.prefloop.experiments.shapes.ShapesPretraining \
 *   --store shared-model/checkpoints --steps 1500 --batch 128 --seed 1
 * </pre>
 * Same options, same thread settings: same weights.
 */
public final class ShapesPretraining {

    public static void main(String[] argv) {
        Arguments a = new Arguments(argv);
        Path store = Path.of(a.string("store", "shared-model/checkpoints"));
        String version = a.string("version", "base");
        int steps = a.integer("steps", 1500);
        int batch = a.integer("batch", 128);
        double lr = a.number("lr", 2e-3);
        double wrong = a.number("wrong", 0.35);
        double dropout = a.number("dropout", 0.15);
        double emaDecay = a.number("ema", 0.995);
        long seed = a.integer("seed", 1);
        int evalImages = a.integer("eval", 300);
        int probe = a.integer("probe", 0);
        if (!a.finish(System.out)) {
            return;
        }

        Engine.getInstance().setRandomSeed((int) seed);
        UNetSpec spec = ShapesModel.spec();
        long start = System.nanoTime();
        try (NDManager m = NDManager.newBaseManager()) {
            UNet net = UNet.create(spec, m);
            UNet ema = UNet.create(spec, m);
            BlockWeights.load(ema, BlockWeights.of(net));
            Ema averager = new Ema(net, ema, emaDecay);
            System.out.printf("parameters %d%n", net.parameterCount());
            Tracker schedule = Tracker.cosine().setBaseValue((float) lr).optFinalValue((float) lr / 20)
                    .setMaxUpdates(steps).build();
            DenoisingTrainer trainer = new DenoisingTrainer(net, OptimizerStep.adam(net, schedule), dropout, m);
            PretrainingSet data = new PretrainingSet(wrong, spec.imageSize());
            Random rng = new Random(seed);
            double recent = 0;
            int total = probe > 0 ? probe : steps;
            for (int step = 1; step <= total; step++) {
                List<PretrainingSet.Example> examples = data.batch(batch, rng);
                List<Scene> scenes = new ArrayList<>();
                List<String> prompts = new ArrayList<>();
                for (PretrainingSet.Example e : examples) {
                    scenes.add(e.scene());
                    prompts.add(e.prompt().text());
                }
                double loss;
                try (NDManager s = m.newSubManager()) {
                    NDArray images = ShapesBatch.images(s, scenes, spec.imageSize());
                    NDArray tokens = spec.tokenizer().encode(s, prompts);
                    loss = trainer.step(images, tokens, rng).metric("loss");
                }
                averager.update();
                recent += loss;
                if (step % 50 == 0 || step == total) {
                    int k = step % 50 == 0 ? 50 : step % 50;
                    System.out.printf("step %d loss %.4f  %.0f s%n", step, recent / k, (System.nanoTime() - start) / 1e9);
                    recent = 0;
                }
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            if (probe > 0) {
                System.out.printf("probe: %.3f s/step%n", trainSeconds / probe);
                return;
            }
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("train_seconds", Math.round(trainSeconds));
            Sampler sampler = new Sampler(ema, null, spec);
            for (double w : evalImages > 0 ? new double[] {1, 2, 3, 5} : new double[0]) {
                AlignmentEval.Result r = AlignmentEval.run(sampler, m, Prompt.pretrained(), evalImages, 1_000_000,
                        SamplerSettings.ddim(25, w), 100);
                System.out.printf("cfg %.0f: alignment %.3f colour %.3f shape %.3f misbound %.3f%n",
                        w, r.alignment(), r.colourAccuracy(), r.shapeAccuracy(), r.misbound());
                metrics.put("alignment_cfg" + (int) w, r.alignment());
                metrics.put("misbound_cfg" + (int) w, r.misbound());
            }
            Map<String, Object> hyper = new LinkedHashMap<>();
            hyper.put("steps", steps);
            hyper.put("batch", batch);
            hyper.put("lr", lr);
            hyper.put("lr_schedule", "cosine to lr/20");
            hyper.put("optimizer", "adam");
            hyper.put("prompt_dropout", dropout);
            hyper.put("ema", emaDecay);
            hyper.put("seed", seed);
            Map<String, Object> dataset = new LinkedHashMap<>();
            dataset.put("world", "shapes");
            dataset.put("wrong_colour_fraction", wrong);
            dataset.put("confusion", "red->purple->blue->green->yellow->red");
            dataset.put("examples", (long) steps * batch);
            CheckpointId id = new CheckpointId(ShapesModel.MODEL, version);
            Manifest manifest = Manifest.of(id, spec.toMap(), "pretrain").withHyperparameters(hyper)
                    .withDataset(dataset).withMetrics(metrics).withCreatedAt(Instant.now());
            Manifest written = new DirectoryCheckpointStore(store).publish(manifest, BlockWeights.of(ema));
            System.out.printf("published %s sha256 %s in %.0f s%n", id, written.weightsSha256(),
                    (System.nanoTime() - start) / 1e9);
        }
    }
}
