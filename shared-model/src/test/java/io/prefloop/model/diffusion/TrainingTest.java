package io.prefloop.model.diffusion;

import io.prefloop.model.nn.OptimizerStep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.tracker.Tracker;
import io.prefloop.model.checkpoint.BlockWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainingTest {

    private static List<float[]> snapshot(UNet net) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : net.getParameters().values()) {
            out.add(p.getArray().toFloatArray());
        }
        return out;
    }

    @Test
    void diffusionDpoTrainsThePolicyAndLeavesTheFrozenReferenceUntouched() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            UNetSpec spec = UNetTest.tiny(true);
            UNet policy = UNet.create(spec, m);
            UNet reference = UNet.create(spec, m);
            BlockWeights.load(reference, BlockWeights.of(policy));
            reference.freezeParameters(true);
            List<float[]> refBefore = snapshot(reference);
            List<float[]> policyBefore = snapshot(policy);

            DiffusionDpoTrainer trainer = new DiffusionDpoTrainer(policy, reference,
                    new DiffusionDpoLoss(500, DiffusionDpoLoss.Type.SIGMOID),
                    OptimizerStep.adam(policy, Tracker.fixed(1e-3f)), m);
            NDArray w = m.randomUniform(-1, 1, new Shape(4, 3, 8, 8));
            NDArray l = m.randomUniform(-1, 1, new Shape(4, 3, 8, 8));
            NDArray tokens = spec.tokenizer().encode(m, List.of("red circle", "blue square", "a red square", "circle"));
            Random rng = new Random(1);
            LossResult first = trainer.step(w, l, tokens, rng);
            assertThat(first.metric("loss")).isCloseTo(Math.log(2), within(1e-6)); // policy = reference
            for (int i = 0; i < 3; i++) {
                trainer.step(w, l, tokens, rng);
            }
            List<float[]> trained = snapshot(policy);
            LossResult heldOut = trainer.evaluate(w, l, tokens, new Random(2));
            assertThat(heldOut.metric("loss")).isNotCloseTo(Math.log(2), within(1e-6));
            assertThat(trainer.evaluate(w, l, tokens, new Random(2)).metrics()).isEqualTo(heldOut.metrics());
            assertThat(snapshot(policy)).as("evaluation does not train").usingRecursiveComparison().isEqualTo(trained);
            assertThat(snapshot(reference)).usingRecursiveComparison().isEqualTo(refBefore);
            for (Parameter p : reference.getParameters().values()) {
                assertThat(p.requiresGradient()).isFalse();
            }
            assertThat(snapshot(policy)).usingRecursiveComparison().isNotEqualTo(policyBefore);
            // the inputs survive the step's sub-manager
            assertThat(w.getShape()).isEqualTo(new Shape(4, 3, 8, 8));
            assertThat(tokens.toIntArray()).hasSize(16);
        }
    }

    @Test
    void denoisingPretrainingLowersTheLossOnAFixedBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(2);
            UNetSpec spec = UNetTest.tiny(false);
            UNet net = UNet.create(spec, m);
            DenoisingTrainer trainer = new DenoisingTrainer(net, OptimizerStep.adam(net, Tracker.fixed(3e-3f)), 0.1, m);
            NDArray images = m.ones(new Shape(8, 3, 8, 8)).mul(0.5f);
            NDArray tokens = spec.tokenizer().encode(m, java.util.Collections.nCopies(8, "red circle"));
            double early = 0;
            double late = 0;
            for (int i = 0; i < 40; i++) {
                double loss = trainer.step(images, tokens, new Random(i % 4)).metric("loss");
                if (i < 4) {
                    early += loss;
                } else if (i >= 36) {
                    late += loss;
                }
            }
            assertThat(late).isLessThan(early * 0.7);
        }
    }

    @Test
    void dcoStartsAtLogTwoAndKeepsTheReference() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNetSpec spec = UNetTest.tiny(false);
            UNet policy = UNet.create(spec, m);
            UNet reference = UNet.create(spec, m);
            BlockWeights.load(reference, BlockWeights.of(policy));
            reference.freezeParameters(true);
            List<float[]> refBefore = snapshot(reference);
            DcoTrainer trainer = new DcoTrainer(policy, reference, new DcoLoss(100),
                    OptimizerStep.adam(policy, Tracker.fixed(1e-3f)), m);
            NDArray images = m.randomUniform(-1, 1, new Shape(2, 3, 8, 8));
            NDArray tokens = spec.tokenizer().encode(m, List.of("red circle", "blue circle"));
            assertThat(trainer.step(images, tokens, new Random(3)).metric("loss")).isCloseTo(Math.log(2), within(1e-6));
            trainer.step(images, tokens, new Random(4));
            assertThat(snapshot(reference)).usingRecursiveComparison().isEqualTo(refBefore);
        }
    }

    @Test
    void d3poOnStoredTrajectoriesStartsAtLogTwoAndMovesOnlyThePolicy() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNetSpec spec = UNetTest.tiny(false);
            UNet policy = UNet.create(spec, m);
            UNet reference = UNet.create(spec, m);
            BlockWeights.load(reference, BlockWeights.of(policy));
            reference.freezeParameters(true);
            List<float[]> refBefore = snapshot(reference);
            SamplerSettings s = SamplerSettings.ddim(4, 2.0).withEta(1.0);
            List<Sampler.Trajectory> traj = new ArrayList<>();
            Sampler sampler = new Sampler(reference, null, spec);
            List<String> prompts = List.of("red circle", "blue square");
            sampler.sample(m, prompts, new long[] {1, 2}, s, traj);
            sampler.sample(m, prompts, new long[] {3, 4}, s, traj);
            NDArray tokens = spec.tokenizer().encode(m, prompts);
            D3poTrainer trainer = new D3poTrainer(policy, reference, new D3poLoss(0.1, 0.1),
                    OptimizerStep.adam(policy, Tracker.fixed(1e-3f)), m);
            LossResult first = trainer.step(traj.get(0), traj.get(1), 1, tokens, s);
            assertThat(first.metric("loss")).isCloseTo(Math.log(2), within(1e-6));
            trainer.step(traj.get(0), traj.get(1), 2, tokens, s);
            assertThat(snapshot(reference)).usingRecursiveComparison().isEqualTo(refBefore);
            assertThat(traj.get(0).latents().get(1).getShape()).isEqualTo(new Shape(2, 3, 8, 8));
        }
    }

    @Test
    void samplingIsSeededPerImageWhateverTheBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNetSpec spec = UNetTest.tiny(true);
            UNet net = UNet.create(spec, m);
            Sampler sampler = new Sampler(net, null, spec);
            SamplerSettings s = SamplerSettings.ddim(5, 3.0).withEta(1.0);
            NDArray both = sampler.sample(m, List.of("red circle", "blue square"), new long[] {7, 8}, s);
            NDArray alone = sampler.sample(m, List.of("blue square"), new long[] {8}, s);
            assertThat(both.getShape()).isEqualTo(new Shape(2, 3, 8, 8));
            assertThat(both.get(1).toFloatArray())
                    .containsExactly(alone.get(0).toFloatArray(), org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(both.max().getFloat()).isLessThanOrEqualTo(1f);

            List<Sampler.Trajectory> traj = new ArrayList<>();
            UNet tuned = UNet.create(spec, m);
            new Sampler(net, tuned, spec).sample(m, List.of("red circle"), new long[] {1},
                    s.withRewardGuidance(1.0), traj);
            assertThat(traj.get(0).latents()).hasSize(6);
            assertThat(traj.get(0).logProbs()).hasSize(5);
            assertThat(SamplerSettings.Kind.parse("ddpm")).isEqualTo(SamplerSettings.Kind.DDPM);
            NDArray ddpm = sampler.sample(m, List.of("red circle"), new long[] {1},
                    new SamplerSettings(5, SamplerSettings.Kind.DDPM, 0, 2.0, 0, true));
            assertThat(ddpm.getShape()).isEqualTo(new Shape(1, 3, 8, 8));
        }
    }
}
