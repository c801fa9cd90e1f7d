package io.prefloop.experiments.replies;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.tracker.Tracker;
import io.prefloop.experiments.Arguments;
import io.prefloop.experiments.StepTimes;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoTrainer;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.TextPreference;
import io.prefloop.model.text.TransformerLm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Java side of the replies model's DPO-step comparison with PyTorch eager
 * (benchmarks/replies_twin.py): the committed replies-base as policy and frozen reference, TRL's
 * sigmoid loss with β 0.5 and rpo_alpha 2, Adam 3e-5, the same pairs of strings as the twin; prints
 * {@code RESULT} lines in the twins' format.
 *
 * <pre>
 * java ... io.prefloop.experiments.replies.DpoStepTiming --pairs 16 --warmup 5 --steps 30
 * </pre>
 */
public final class DpoStepTiming {

    /** The pairs both sides train on (the twin holds the same strings). */
    static List<TextPreference> pairs(int n) {
        String[] prompts = {"Q: What colour is grass?\nA:", "Q: Name a sea animal.\nA:"};
        String[] chosen = {" Grass is green, as a rule.", " The blue whale is the largest one."};
        String[] rejected = {" green lol", " whale i guess"};
        List<TextPreference> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new TextPreference(prompts[i % 2], chosen[i % 2], rejected[i % 2]));
        }
        return out;
    }

    public static void main(String[] argv) throws Exception {
        Arguments a = new Arguments(argv);
        Path storeDir = Path.of(a.string("store", "shared-model/checkpoints"));
        int n = a.integer("pairs", 16);
        int warmup = a.integer("warmup", 5);
        int steps = a.integer("steps", 30);
        String profile = a.string("profile", "");
        if (!a.finish(System.out)) {
            return;
        }
        Engine.getInstance().setRandomSeed(0);
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(storeDir);
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointId base = CheckpointId.parse("replies-base/v0001");
            TransformerLm policy = LanguageModelCheckpoints.load(store, base, m);
            TransformerLm reference = LanguageModelCheckpoints.load(store, base, m);
            reference.freezeParameters(true);
            DpoTrainer trainer = new DpoTrainer(policy, reference, new ByteTokenizer(),
                    DpoConfig.sigmoid(0.5).withRpoAlpha(2), OptimizerStep.adam(policy, Tracker.fixed(3e-5f)));
            List<TextPreference> batch = pairs(n);
            double[] ms = new double[warmup + steps];
            for (int i = 0; i < ms.length; i++) {
                try (NDManager s = m.newSubManager()) {
                    long t0 = System.nanoTime();
                    trainer.step(s, batch);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            if (!profile.isBlank()) {
                // PyTorch's own profiler over 5 more steps (a Chrome trace for benchmarks/op-times)
                JniUtils.startProfile(false, false, false);
                for (int i = 0; i < 5; i++) {
                    try (NDManager s = m.newSubManager()) {
                        trainer.step(s, batch);
                    }
                }
                JniUtils.stopProfile(profile);
            }
            StepTimes.report("java replies_dpo_step pairs=" + n, Arrays.copyOfRange(ms, warmup, ms.length));
        }
    }
}
