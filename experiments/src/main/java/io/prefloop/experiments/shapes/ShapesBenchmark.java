package io.prefloop.experiments.shapes;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.tracker.Tracker;
import io.prefloop.experiments.Arguments;
import io.prefloop.model.diffusion.DiffusionDpoLoss;
import io.prefloop.model.diffusion.DiffusionDpoTrainer;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.nn.NativeMemory;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.shapes.ShapesModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Speed and memory of the shapes UNet (558k parameters, 16×16): Diffusion-DPO training step at
 * batch 8 and 32 pairs (pairs/s), sampling with CFG and with reward guidance (images/s, 25 DDIM
 * steps), and resident memory (VmRSS) over a long Diffusion-DPO run, which must stay flat after
 * warm-up. Random weights: speed and memory do not depend on them.
 *
 * <pre>
 * java ... io.prefloop.experiments.shapes.ShapesBenchmark --mem-steps 2000 --mem-batch 8
 * </pre>
 */
public final class ShapesBenchmark {

    public static void main(String[] argv) throws IOException {
        Arguments a = new Arguments(argv);
        int memSteps = a.integer("mem-steps", 2000);
        int memBatch = a.integer("mem-batch", 8);
        int timedSteps = a.integer("timed-steps", 15);
        if (!a.finish(System.out)) {
            return;
        }
        Engine.getInstance().setRandomSeed(3);
        System.out.printf("threads: torch intra-op %s, load average %s%n",
                System.getProperty("ai.djl.pytorch.num_threads", "default"), loadAverage());
        try (NDManager m = NDManager.newBaseManager()) {
            UNet policy = UNet.create(ShapesModel.spec(), m);
            UNet reference = ShapesModel.frozenCopy(policy, m);
            DiffusionDpoTrainer trainer = new DiffusionDpoTrainer(policy, reference,
                    new DiffusionDpoLoss(500, DiffusionDpoLoss.Type.SIGMOID),
                    OptimizerStep.adam(policy, Tracker.fixed(5e-5f)), m);
            Random rng = new Random(1);
            for (int batch : new int[] {8, 32}) {
                for (int i = 0; i < 3; i++) {
                    step(trainer, policy, m, batch, rng);
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < timedSteps; i++) {
                    step(trainer, policy, m, batch, rng);
                }
                double s = (System.nanoTime() - t0) / 1e9 / timedSteps;
                System.out.printf("| Diffusion-DPO step, %d pairs | %.3f s | %.1f pairs/s |%n", batch, s, batch / s);
            }
            int n = 32;
            List<String> prompts = Collections.nCopies(n, "a red circle");
            long[] seeds = new long[n];
            for (int i = 0; i < n; i++) {
                seeds[i] = i;
            }
            SamplerSettings cfg = SamplerSettings.ddim(25, 3);
            Sampler plain = new Sampler(policy, null, policy.spec());
            Sampler guided = new Sampler(reference, policy, policy.spec());
            for (int pass = 0; pass < 2; pass++) {
                long t0 = System.nanoTime();
                try (NDManager s = m.newSubManager()) {
                    plain.sample(s, prompts, seeds, cfg).toFloatArray();
                }
                double tc = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                try (NDManager s = m.newSubManager()) {
                    guided.sample(s, prompts, seeds, cfg.withRewardGuidance(2)).toFloatArray();
                }
                double tr = (System.nanoTime() - t0) / 1e9;
                if (pass == 1) {
                    System.out.printf("| sampling, CFG 3, 25 DDIM steps, batch %d | %.2f s | %.1f images/s |%n", n, tc, n / tc);
                    System.out.printf("| sampling, reward guidance (w_text 3, w_rg 2), 25 DDIM steps, batch %d | %.2f s | %.1f images/s |%n",
                            n, tr, n / tr);
                }
            }
            List<String> rss = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 1; i <= memSteps; i++) {
                step(trainer, policy, m, memBatch, rng);
                if (i % 100 == 0 || i == 1) {
                    String line = String.format("step %d rss_mb %d  %.0f s", i, rssMb(), (System.nanoTime() - t0) / 1e9);
                    rss.add(line);
                    System.out.println(line);
                }
            }
            System.out.printf("load average at end %s%n", loadAverage());
        }
    }

    private static void step(DiffusionDpoTrainer trainer, UNet policy, NDManager m, int batch, Random rng) {
        try (NDManager s = m.newSubManager()) {
            Shape shape = new Shape(batch, 3, ShapesModel.IMAGE_SIZE, ShapesModel.IMAGE_SIZE);
            NDArray w = s.randomUniform(-1, 1, shape);
            NDArray l = s.randomUniform(-1, 1, shape);
            NDArray tokens = policy.spec().tokenizer().encode(s, Collections.nCopies(batch, "a red circle"));
            trainer.step(w, l, tokens, rng);
        }
    }

    static long rssMb() {
        return NativeMemory.now().residentBytes() >> 20;
    }

    static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
