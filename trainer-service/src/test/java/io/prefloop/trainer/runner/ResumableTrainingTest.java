package io.prefloop.trainer.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.worker.JobContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.ArgumentCaptor;

/** The step loop's recovery from a step whose gradient is NaN, with a real block and optimizer. */
class ResumableTrainingTest {

    private static final int STEPS = 30;
    private static final int NAN_AT = 17;

    @TempDir
    Path store;

    @Test
    void aStepWithANanGradientIsRetriedFromTheLastGoodStateAndTheRunFinishes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            Linear block = Linear.builder().setUnits(2).build();
            block.initialize(manager, DataType.FLOAT32, new Shape(4, 3));
            OptimizerStep optimizer = OptimizerStep.adam(block, 0.01f);
            JobContext context = mock(JobContext.class);
            ResumableTraining training = new ResumableTraining(new JobSnapshots(new DirectoryCheckpointStore(store)));
            boolean[] injected = {false};

            Map<String, Double> last = training.run(job(), context, block, optimizer, manager, (step, random) -> {
                boolean nan = step == NAN_AT && !injected[0];
                injected[0] |= nan;
                double loss = backward(manager, block, nan ? Float.NaN : 1f);
                optimizer.step();
                return Map.of("loss", loss);
            });

            assertThat(injected[0]).isTrue();
            assertThat(last.get("grad_norm")).as("the run went on to its last step with finite gradients").isFinite();
            ArgumentCaptor<String> message = ArgumentCaptor.forClass(String.class);
            verify(context).message(eq("warn"), message.capture(), anyMap());
            assertThat(message.getValue()).contains("grad_norm = NaN").contains("at step " + NAN_AT)
                    .contains("non-finite gradient in weight, bias").contains("Restored the state after step 10");
            verify(context).step(eq(STEPS), any());
        }
    }

    private static double backward(NDManager parent, Linear block, float scale) {
        try (NDManager m = parent.newSubManager()) {
            NDArray x = m.arange(12f).reshape(4, 3).mul(0.1f);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow()
                        .sub(1f).square().mean().mul(scale);
                collector.backward(loss);
                return loss.getFloat();
            }
        }
    }

    private static JobView job() {
        Map<String, Object> hyperparameters = Map.of("steps", STEPS, "checkpoint_every", 100, "learning_rate", 0.01,
                "max_grad_norm", 0, "warmup_steps", 0, "divergence_ratio", 0, "divergence_patience", 5);
        return new JobView(UUID.randomUUID(), "fine_tuning.job", Method.REWARD_MODEL, "m", null, hyperparameters, 1,
                null, "running", false, null, null, null, null, null, null, null, null, null, null, null);
    }
}
