package io.prefloop.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.prefloop.model.checkpoint.BlockWeights;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Global gradient-norm clipping, the recorded norm and learning rate, and linear warm-up. */
class OptimizerStepTest {

    @Test
    void recordsTheGlobalGradientNormAndClipsTheUpdateToTheBound() {
        try (NDManager m = NDManager.newBaseManager()) {
            // plain SGD at rate 1: the weights move by exactly the (clipped) gradient
            Block free = block(m);
            OptimizerStep unclipped = new OptimizerStep(free, sgd());
            float[] before = flat(free);
            backward(m, free, 1000f);
            unclipped.step();
            double norm = distance(before, flat(free));
            assertThat(norm).as("a gradient far above the bound").isGreaterThan(100);
            assertThat(unclipped.lastGradNorm()).isCloseTo(norm, within(norm * 1e-4));

            Block clipped = block(m);
            OptimizerStep step = new OptimizerStep(clipped, sgd()).clipGradNorm(0.5);
            backward(m, clipped, 1000f);
            step.step();
            assertThat(step.lastGradNorm()).as("recorded before clipping").isCloseTo(norm, within(norm * 1e-4));
            assertThat(distance(before, flat(clipped))).as("the update after clipping")
                    .isLessThanOrEqualTo(0.5 + 1e-5).isGreaterThan(0.49);
        }
    }

    @Test
    void aGradientBelowTheBoundIsLeftAsItIs() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = block(m);
            float[] before = flat(block);
            OptimizerStep step = new OptimizerStep(block, sgd()).clipGradNorm(1e6);
            backward(m, block, 1f);
            step.step();
            assertThat(distance(before, flat(block))).isCloseTo(step.lastGradNorm(), within(1e-4));
        }
    }

    @Test
    void aNonFiniteGradientUpdatesNothing() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = block(m);
            float[] before = flat(block);
            OptimizerStep step = OptimizerStep.adam(block, 0.1f);
            backward(m, block, Float.NaN);
            step.step();
            assertThat(step.lastGradNorm()).isNaN();
            assertThat(step.lastNonFiniteGradients()).as("where the NaN is").containsExactlyInAnyOrder("weight", "bias");
            assertThat(flat(block)).containsExactly(before);
        }
    }

    @Test
    void aNonFiniteGradientLeavesNothingBehindForTheNextStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = block(m);
            OptimizerStep step = OptimizerStep.adam(block, 0.1f);
            backward(m, block, Float.NaN);
            step.step();
            float[] before = flat(block);
            backward(m, block, 1f); // backward adds into the gradient buffers: a NaN left there stays NaN
            step.step();
            assertThat(step.lastGradNorm()).isFinite();
            assertThat(step.lastNonFiniteGradients()).isEmpty();

            Block fresh = block(m);
            OptimizerStep freshStep = OptimizerStep.adam(fresh, 0.1f);
            backward(m, fresh, 1f);
            freshStep.step();
            assertThat(step.lastGradNorm()).isEqualTo(freshStep.lastGradNorm());
            assertThat(flat(block)).isNotEqualTo(before).containsExactly(flat(fresh));
        }
    }

    @Test
    void puttingAStateBackClearsTheGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = block(m);
            OptimizerStep step = OptimizerStep.adam(block, 0.1f);
            backward(m, block, 1f);
            step.step();
            Map.Entry<NDList, Integer> state = step.state(m);
            backward(m, block, Float.NaN); // a gradient computed, then the state put back before the update
            step.restore(state.getKey(), state.getValue());
            for (NDArray weight : BlockWeights.of(block)) {
                assertThat(weight.getGradient().abs().sum().getFloat()).isZero();
            }
        }
    }

    @Test
    void warmUpRisesLinearlyAndTheScaleAndRateAreRecorded() {
        Tracker warm = LinearWarmup.of(Tracker.fixed(1e-3f), 10);
        assertThat(warm.getNewValue(1)).isCloseTo(1e-4f, within(1e-9f));
        assertThat(warm.getNewValue(5)).isCloseTo(5e-4f, within(1e-9f));
        assertThat(warm.getNewValue(10)).isEqualTo(1e-3f);
        assertThat(warm.getNewValue(500)).isEqualTo(1e-3f);
        assertThat(LinearWarmup.of(Tracker.fixed(1e-3f), 0).getNewValue(1)).isEqualTo(1e-3f);

        try (NDManager m = NDManager.newBaseManager()) {
            Block block = block(m);
            OptimizerStep step = OptimizerStep.adam(block, LinearWarmup.of(Tracker.fixed(1e-3f), 10));
            backward(m, block, 1f);
            step.step();
            assertThat(step.lastLearningRate()).isCloseTo(1e-4, within(1e-9));
            step.scaleLearningRate(0.1);
            backward(m, block, 1f);
            step.step();
            assertThat(step.lastLearningRate()).isCloseTo(2e-5, within(1e-9));
        }
    }

    @Test
    void warmUpContinuesWhereItStoppedAfterTheOptimizerStateIsRestored() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block straight = block(m);
            OptimizerStep straightStep = OptimizerStep.adam(straight, LinearWarmup.of(Tracker.fixed(0.05f), 6));
            for (int i = 0; i < 4; i++) {
                backward(m, straight, 1f + i);
                straightStep.step();
            }
            Block first = block(m);
            OptimizerStep firstStep = OptimizerStep.adam(first, LinearWarmup.of(Tracker.fixed(0.05f), 6));
            for (int i = 0; i < 2; i++) {
                backward(m, first, 1f + i);
                firstStep.step();
            }
            Map.Entry<NDList, Integer> state = firstStep.state(m);
            Block resumed = block(m);
            BlockWeights.load(resumed, BlockWeights.of(first));
            OptimizerStep resumedStep = OptimizerStep.adam(resumed, LinearWarmup.of(Tracker.fixed(0.05f), 6));
            resumedStep.restore(state.getKey(), state.getValue());
            for (int i = 2; i < 4; i++) {
                backward(m, resumed, 1f + i);
                resumedStep.step();
            }
            assertThat(resumedStep.lastLearningRate()).isEqualTo(straightStep.lastLearningRate());
            assertThat(flat(resumed)).containsExactly(flat(straight));
        }
    }

    private static Optimizer sgd() {
        return Optimizer.sgd().setLearningRateTracker(Tracker.fixed(1f)).build();
    }

    private static Block block(NDManager m) {
        Engine.getInstance().setRandomSeed(11);
        Linear linear = Linear.builder().setUnits(3).build();
        linear.setInitializer(new NormalInitializer(0.5f), ai.djl.nn.Parameter.Type.WEIGHT);
        linear.initialize(m, DataType.FLOAT32, new Shape(4, 5));
        return linear;
    }

    private static void backward(NDManager parent, Block block, float scale) {
        try (NDManager m = parent.newSubManager()) {
            NDArray x = m.arange(20f).reshape(4, 5).mul(0.1f);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                gc.backward(y.sub(1f).square().mean().mul(scale));
            }
        }
    }

    private static float[] flat(Block block) {
        NDList weights = BlockWeights.of(block);
        int size = weights.stream().mapToInt(a -> (int) a.size()).sum();
        float[] out = new float[size];
        int at = 0;
        for (NDArray a : weights) {
            float[] v = a.toFloatArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }
}
