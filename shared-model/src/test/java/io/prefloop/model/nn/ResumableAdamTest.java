package io.prefloop.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.prefloop.model.checkpoint.Safetensors;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResumableAdamTest {

    private static final float LR = 0.05f;

    @Test
    void givesTheSameWeightsAsDjlsAdam() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block ours = block(m, 7);
            Block djl = block(m, 7);
            OptimizerStep oursStep = OptimizerStep.adam(ours, LR);
            OptimizerStep djlStep = new OptimizerStep(djl,
                    Optimizer.adam().optLearningRateTracker(Tracker.fixed(LR)).build());
            for (int step = 0; step < 5; step++) {
                train(m, ours, oursStep, step);
                train(m, djl, djlStep, step);
            }
            assertThat(weights(ours)).isEqualTo(weights(djl));
            assertThat(weights(ours)).isNotEqualTo(weights(block(m, 7)));
        }
    }

    @Test
    void aRunResumedFromSavedStateEndsBitIdenticalToAnUninterruptedOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block straight = block(m, 3);
            OptimizerStep straightStep = OptimizerStep.adam(straight, LR);
            for (int step = 0; step < 6; step++) {
                train(m, straight, straightStep, step);
            }

            Block first = block(m, 3);
            OptimizerStep firstStep = OptimizerStep.adam(first, LR);
            for (int step = 0; step < 3; step++) {
                train(m, first, firstStep, step);
            }
            // saved as a job's intermediate checkpoint is: weights and optimizer state in one file
            NDList saved = BlockWeights.of(first);
            Map.Entry<NDList, Integer> state = firstStep.state(m);
            saved.addAll(state.getKey());
            byte[] bytes = Safetensors.encode(saved);
            assertThat(state.getValue()).isEqualTo(3);

            Block resumed = block(m, 99);
            NDList loaded = Safetensors.decode(m, bytes);
            NDList weights = new NDList();
            NDList optimizer = new NDList();
            loaded.forEach(t -> (t.getName().startsWith("optimizer.") ? optimizer : weights).add(t));
            BlockWeights.load(resumed, weights);
            OptimizerStep resumedStep = OptimizerStep.adam(resumed, LR);
            resumedStep.restore(optimizer, state.getValue());
            for (int step = 3; step < 6; step++) {
                train(m, resumed, resumedStep, step);
            }
            assertThat(weights(resumed)).isEqualTo(weights(straight));
        }
    }

    @Test
    void aRateFactorScalesOnlyThatPartsSteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            Linear first = Linear.builder().setUnits(5).build();
            Linear second = Linear.builder().setUnits(3).build();
            ai.djl.nn.SequentialBlock both = new ai.djl.nn.SequentialBlock().add(first).add(second);
            both.setInitializer(new NormalInitializer(0.5f), ai.djl.nn.Parameter.Type.WEIGHT);
            both.initialize(m, DataType.FLOAT32, new Shape(4, 5));
            float[] firstBefore = first.getParameters().get("weight").getArray().toFloatArray();
            float[] secondBefore = second.getParameters().get("weight").getArray().toFloatArray();
            OptimizerStep update = OptimizerStep.adam(both, LR).rateFactor(second, 10);
            train(m, both, update, 0);
            // Adam's first step moves every coordinate by lr · g / (|g| + ε): lr for the first layer, 10 · lr for the second
            assertThat(maxChange(firstBefore, first)).isCloseTo(LR, org.assertj.core.api.Assertions.within(1e-4));
            assertThat(maxChange(secondBefore, second)).isCloseTo(10 * LR, org.assertj.core.api.Assertions.within(1e-3));
            assertThat(update.lastLearningRate()).isCloseTo(LR, org.assertj.core.api.Assertions.within(1e-9));
        }
    }

    private static double maxChange(float[] before, Linear layer) {
        float[] after = layer.getParameters().get("weight").getArray().toFloatArray();
        double max = 0;
        for (int i = 0; i < before.length; i++) {
            max = Math.max(max, Math.abs(after[i] - before[i]));
        }
        return max;
    }

    private static Block block(NDManager m, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        Linear linear = Linear.builder().setUnits(3).build();
        linear.setInitializer(new NormalInitializer(0.5f), ai.djl.nn.Parameter.Type.WEIGHT);
        linear.initialize(m, DataType.FLOAT32, new Shape(4, 5));
        return linear;
    }

    private static void train(NDManager parent, Block block, OptimizerStep update, int step) {
        try (NDManager m = parent.newSubManager()) {
            NDArray x = m.arange(20f).reshape(4, 5).mul(0.1f * (step + 1));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                gc.backward(y.sub(1f).square().mean());
            }
            update.step();
        }
    }

    private static String weights(Block block) {
        return BlockWeights.of(block).stream().map(a -> java.util.Arrays.toString(a.toFloatArray()))
                .reduce("", String::concat);
    }
}
