package io.prefloop.trainer.runner;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.diffusion.UNetSpec;
import io.prefloop.model.diffusion.rl.BrightnessReward;
import io.prefloop.model.diffusion.rl.DpokConfig;
import io.prefloop.model.diffusion.rl.DpokLoss;
import io.prefloop.model.diffusion.rl.DpokTrainer;
import io.prefloop.model.diffusion.rl.PolicyWithValue;
import io.prefloop.model.diffusion.rl.Rollout;
import io.prefloop.model.diffusion.rl.ValueNetwork;
import io.prefloop.model.nn.OptimizerStep;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DPOK job's intermediate checkpoint holds the value network's weights and Adam moments with the
 * policy's: a worker that restores it into freshly built networks continues exactly where the
 * killed one stopped.
 */
class DpokSnapshotTest {

    private static final SamplerSettings SAMPLING = SamplerSettings.ddim(4, 2).withEta(1);

    @TempDir
    Path store;

    private static UNetSpec tiny() {
        return new UNetSpec(8, 3, List.of(8, 16), 1, false, 2, 4, 16,
                List.of("<pad>", "<unk>", "a", "red", "blue", "circle", "square"), 4, "linear", 100);
    }

    private record Run(PolicyWithValue model, OptimizerStep optimizer, DpokTrainer trainer) {}

    private static Run run(UNet reference, NDManager m) {
        UNet policy = UNet.create(tiny(), m);
        BlockWeights.load(policy, BlockWeights.of(reference));
        PolicyWithValue both = new PolicyWithValue(policy, ValueNetwork.create(3 * 8 * 8, 7, 4, 16, m));
        OptimizerStep optimizer = OptimizerStep.adam(both, 1e-3f);
        return new Run(both, optimizer, new DpokTrainer(both, reference, optimizer, new DpokLoss(0.1, 1e-4),
                new DpokConfig(4, 1, 0.5, 8), m));
    }

    private static void round(Run run, int i, NDManager m) {
        Rollout r = Rollout.sample(run.model().policy(), m, List.of("a red circle", "a blue square", "a red circle",
                "a blue square"), new long[] {4L * i, 4L * i + 1, 4L * i + 2, 4L * i + 3}, SAMPLING, new BrightnessReward());
        run.trainer().train(r, new Random(i));
    }

    private static Map<String, float[]> tensors(NDList list) {
        Map<String, float[]> out = new HashMap<>();
        for (NDArray a : list) {
            out.put(a.getName(), a.toFloatArray());
        }
        return out;
    }

    @Test
    void theSnapshotRestoresValueWeightsAndAdamMomentsAndTheRunContinuesIdentically() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            UNet reference = UNet.create(tiny(), m);
            reference.freezeParameters(true);
            Run killed = run(reference, m);
            round(killed, 1, m);
            JobSnapshots snapshots = new JobSnapshots(new DirectoryCheckpointStore(store));
            UUID job = UUID.randomUUID();
            snapshots.save(job, 1, killed.model(), killed.optimizer(), Map.of(), 0);
            Map<String, float[]> state = tensors(killed.optimizer().state(m).getKey());
            assertThat(state.keySet()).as("the value network's moments are in the optimizer state")
                    .anyMatch(k -> k.contains("value") && k.contains("gamma1"))
                    .anyMatch(k -> k.contains("policy"));

            Run resumed = run(reference, m);
            Optional<JobSnapshots.Restored> restored = snapshots.restore(job, resumed.model(), resumed.optimizer(),
                    Map.of(), m);
            assertThat(restored).contains(new JobSnapshots.Restored(1, 0));
            assertThat(tensors(BlockWeights.of(resumed.model().value())))
                    .usingRecursiveComparison().isEqualTo(tensors(BlockWeights.of(killed.model().value())));
            assertThat(tensors(resumed.optimizer().state(m).getKey())).usingRecursiveComparison().isEqualTo(state);

            round(killed, 2, m);
            round(resumed, 2, m);
            assertThat(tensors(BlockWeights.of(resumed.model())))
                    .usingRecursiveComparison().isEqualTo(tensors(BlockWeights.of(killed.model())));
        }
    }
}
