package io.prefloop.experiments.shapes;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.tracker.Tracker;
import io.prefloop.experiments.Arguments;
import io.prefloop.experiments.StepTimes;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.diffusion.DiffusionDpoLoss;
import io.prefloop.model.diffusion.DiffusionDpoTrainer;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.nn.conv.Convolutions;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.ShapesConvolutions;
import io.prefloop.model.shapes.ShapesModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The Java side of the training-speed comparison with PyTorch eager (benchmarks/unet_twin.py): the
 * same network (the committed shapes base), the same Diffusion-DPO step (β 500, SFT weight 500,
 * Adam 5e-5, random winners and losers in [−1, 1], the 15 prompts in turn) at each batch, and the
 * 25-step CFG sampler; prints {@code RESULT} lines in the twin's format, which
 * benchmarks/training-vs-torch pairs up.
 *
 * <pre>
 * java ... io.prefloop.experiments.shapes.StepTiming --batches 8,32 --warmup 5 --steps 30 --sample-batch 16
 * </pre>
 *
 * <p>{@code --profile target/step.json} also writes PyTorch's profile of 5 steps per batch size
 * (a Chrome trace, {@code step-8.json}, {@code step-32.json}), which benchmarks/op-times sums by op.
 */
public final class StepTiming {

    public static void main(String[] argv) throws Exception {
        Arguments a = new Arguments(argv);
        Path storeDir = Path.of(a.string("store", "shared-model/checkpoints"));
        String batches = a.string("batches", "8,32");
        int warmup = a.integer("warmup", 5);
        int steps = a.integer("steps", 30);
        int sampleBatch = a.integer("sample-batch", 16);
        int sampleReps = a.integer("sample-reps", 4);
        String profile = a.string("profile", "");
        if (!a.finish(System.out)) {
            return;
        }
        Engine.getInstance().setRandomSeed(0);
        // as a worker does at start-up: the convolution path that computes right gradients here
        Convolutions.verify(ShapesConvolutions.calls(2), Device.cpu());
        System.out.printf("java %s, torch threads %s, convolutions %s, load average %s%n",
                System.getProperty("java.version"), System.getProperty("ai.djl.pytorch.num_threads", "default"),
                Convolutions.path().description(), ShapesBenchmark.loadAverage());
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(storeDir);
        List<String> prompts = Prompt.pretrained().stream().map(Prompt::text).toList();
        try (NDManager m = NDManager.newBaseManager()) {
            UNet reference = ShapesModel.load(store, CheckpointId.parse("shapes-unet/base"), m);
            reference.freezeParameters(true);
            UNet policy = ShapesModel.frozenCopy(reference, m);
            policy.freezeParameters(false);
            DiffusionDpoTrainer trainer = new DiffusionDpoTrainer(policy, reference,
                    new DiffusionDpoLoss(500, DiffusionDpoLoss.Type.SIGMOID, 500),
                    OptimizerStep.adam(policy, Tracker.fixed(5e-5f)), m);
            Random rng = new Random(0);
            for (String b : batches.split(",")) {
                int batch = Integer.parseInt(b.strip());
                List<String> batchPrompts = cycle(prompts, batch);
                double[] ms = new double[warmup + steps];
                for (int i = 0; i < ms.length; i++) {
                    try (NDManager s = m.newSubManager()) {
                        Shape shape = new Shape(batch, 3, ShapesModel.IMAGE_SIZE, ShapesModel.IMAGE_SIZE);
                        NDArray w = s.randomUniform(-1, 1, shape);
                        NDArray l = s.randomUniform(-1, 1, shape);
                        NDArray tokens = policy.spec().tokenizer().encode(s, batchPrompts);
                        long t0 = System.nanoTime();
                        trainer.step(w, l, tokens, rng);
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                StepTimes.report("java dpo_step pairs=" + batch + " sft=500", Arrays.copyOfRange(ms, warmup, ms.length));
                if (!profile.isBlank()) {
                    // PyTorch's own profiler over 5 more steps: every op's time, as a Chrome trace
                    JniUtils.startProfile(false, true, false);
                    for (int i = 0; i < 5; i++) {
                        try (NDManager s = m.newSubManager()) {
                            Shape shape = new Shape(batch, 3, ShapesModel.IMAGE_SIZE, ShapesModel.IMAGE_SIZE);
                            trainer.step(s.randomUniform(-1, 1, shape), s.randomUniform(-1, 1, shape),
                                    policy.spec().tokenizer().encode(s, batchPrompts), rng);
                        }
                    }
                    JniUtils.stopProfile(profile.replace(".json", "-" + batch + ".json"));
                }
            }
            policy.freezeParameters(true);
            Sampler sampler = new Sampler(policy, null, policy.spec());
            List<String> samplePrompts = cycle(prompts, sampleBatch);
            long[] seeds = new long[sampleBatch];
            Arrays.setAll(seeds, i -> i);
            SamplerSettings cfg = SamplerSettings.ddim(25, 3);
            double[] perStep = new double[sampleReps];
            for (int rep = 0; rep < sampleReps; rep++) {
                try (NDManager s = m.newSubManager()) {
                    long t0 = System.nanoTime();
                    sampler.sample(s, samplePrompts, seeds, cfg).toFloatArray();
                    perStep[rep] = (System.nanoTime() - t0) / 1e6 / 25;
                }
            }
            StepTimes.report("java sampler_25step_per_step batch=" + sampleBatch, Arrays.copyOfRange(perStep, 1, sampleReps));
        }
        System.out.printf("load average at end %s%n", ShapesBenchmark.loadAverage());
    }

    private static List<String> cycle(List<String> prompts, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prompts.get(i % prompts.size()));
        }
        return out;
    }
}
