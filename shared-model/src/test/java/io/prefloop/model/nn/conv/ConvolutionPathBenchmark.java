package io.prefloop.model.nn.conv;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.tracker.Tracker;
import io.prefloop.model.diffusion.DiffusionDpoLoss;
import io.prefloop.model.diffusion.DiffusionDpoTrainer;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.shapes.ShapesConvolutions;
import io.prefloop.model.shapes.ShapesModel;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What each convolution path costs: the shapes UNet's Diffusion-DPO step at 8 and 32 pairs, the
 * paths interleaved round by round so that the machine's load falls on all of them alike.
 *
 * <pre>
 * mvn -B test -pl shared-model -Dgroups=benchmark -Dsurefire.excludedGroups= -Dtest=ConvolutionPathBenchmark
 * </pre>
 */
@Tag("benchmark")
class ConvolutionPathBenchmark {

    private static final int ROUNDS = 3;
    private static final int STEPS = 6;

    @Test
    void diffusionDpoStepOnEachPath() {
        Convolutions.reset(ConvolutionPath.PADDED_CHANNELS);
        Convolutions.verify(ShapesConvolutions.calls(8), Device.cpu()); // no check inside the timed steps
        ConvolutionPath[] paths = ConvolutionPath.values();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            UNet policy = UNet.create(ShapesModel.spec(), m);
            UNet reference = ShapesModel.frozenCopy(policy, m);
            DiffusionDpoTrainer trainer = new DiffusionDpoTrainer(policy, reference,
                    new DiffusionDpoLoss(500, DiffusionDpoLoss.Type.SIGMOID), OptimizerStep.adam(policy, Tracker.fixed(5e-6f)), m);
            Random rng = new Random(1);
            for (int pairs : new int[] {8, 32}) {
                Map<ConvolutionPath, Double> best = new EnumMap<>(ConvolutionPath.class);
                for (int round = 0; round < ROUNDS; round++) {
                    for (ConvolutionPath path : paths) {
                        Convolutions.use(path);
                        OneDnn.setEnabled(path != ConvolutionPath.ONEDNN_OFF);
                        step(trainer, m, pairs, rng);
                        long t0 = System.nanoTime();
                        for (int i = 0; i < STEPS; i++) {
                            step(trainer, m, pairs, rng);
                        }
                        double seconds = (System.nanoTime() - t0) / 1e9 / STEPS;
                        best.merge(path, seconds, Math::min);
                    }
                }
                double padded = best.get(ConvolutionPath.PADDED_CHANNELS);
                for (ConvolutionPath path : paths) {
                    System.out.printf("| %d pairs | %s | %.0f ms | %.2f× padded |%n", pairs, path.description(),
                            best.get(path) * 1000, best.get(path) / padded);
                }
            }
        } finally {
            Convolutions.reset(ConvolutionPath.PADDED_CHANNELS);
        }
    }

    private static void step(DiffusionDpoTrainer trainer, NDManager m, int pairs, Random rng) {
        try (NDManager s = m.newSubManager()) {
            NDArray winners = s.randomUniform(-1, 1, new Shape(pairs, 3, 16, 16));
            NDArray losers = s.randomUniform(-1, 1, new Shape(pairs, 3, 16, 16));
            NDArray tokens = s.randomInteger(2, 12, new Shape(pairs, 4), DataType.INT32);
            trainer.step(winners, losers, tokens, rng);
        }
    }
}
