package io.prefloop.trainer.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.LanguageModels;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.model.text.TransformerSpec;
import io.prefloop.model.text.rl.KlController;
import io.prefloop.model.text.rl.PolicyWithValueHead;
import io.prefloop.model.text.rl.PpoTrainer;
import io.prefloop.model.text.rl.RewardFunction;
import io.prefloop.model.text.rl.RolloutSampler;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.PpoSettings;
import io.prefloop.trainer.worker.JobContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PPO run killed after its intermediate checkpoint and resumed by a fresh worker ends with exactly
 * the weights (value head included), Adam state and adaptive KL coefficient of a run never
 * interrupted: all of them are in the snapshot.
 */
class PpoResumeTest {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();
    private static final TransformerSpec SPEC = new TransformerSpec(TOKENIZER.vocabSize(), 32, 16, 2, 1, 32);
    private static final int STEPS = 6;
    private static final RewardFunction ASCII = (manager, prompts, completions) -> completions.stream()
            .mapToDouble(g -> g.text().chars().filter(c -> c < 128).count() / (double) Math.max(1, g.tokens().length))
            .toArray();

    @TempDir
    Path store;

    @Test
    void aResumedRunEndsWhereAnUninterruptedOneDoes() {
        ResumableTraining training = new ResumableTraining(new JobSnapshots(new DirectoryCheckpointStore(store)));
        Outcome uninterrupted = run(training, job(UUID.randomUUID()), 0, 6);
        JobView crashing = job(UUID.randomUUID());
        assertThatThrownBy(() -> run(training, crashing, 5, 6)).hasMessageContaining("worker killed");
        // a fresh worker's value head starts elsewhere: only the snapshot can make the runs agree
        Outcome resumed = run(training, crashing, 0, 7);

        assertThat(resumed.beta()).isEqualTo(uninterrupted.beta());
        assertThat(uninterrupted.beta()).as("the KL controller adapted").isNotEqualTo((double) (float) 0.05);
        assertThat(resumed.weights()).hasSameSizeAs(uninterrupted.weights());
        for (int i = 0; i < resumed.weights().size(); i++) {
            assertThat(resumed.weights().get(i)).as("tensor " + i).containsExactly(uninterrupted.weights().get(i));
        }
    }

    private record Outcome(List<float[]> weights, double beta) {}

    /**
     * @param killAt the step whose start throws (0: none)
     * @param valueSeed the engine's seed when the value head is initialised
     */
    private static Outcome run(ResumableTraining training, JobView job, int killAt, int valueSeed) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            TransformerLm lm = TransformerLm.create(SPEC, manager);
            TransformerLm reference = LanguageModels.frozenCopy(lm, manager);
            Engine.getInstance().setRandomSeed(valueSeed);
            PolicyWithValueHead model = new PolicyWithValueHead(lm, manager);
            PpoSettings settings = job.settings(PpoSettings.class);
            KlController kl = settings.klController();
            ScalarState klState = new ScalarState("kl_coef", kl.value(), manager);
            OptimizerStep optimizer = OptimizerStep.adam(model, 1e-2f);
            PpoTrainer trainer = new PpoTrainer(model, new RolloutSampler(lm, model, reference, TOKENIZER, ASCII,
                    settings.sampling()), kl, settings.config(), optimizer, TOKENIZER);
            training.run(job, mock(JobContext.class), model, optimizer, Map.of("kl_coef", klState), manager,
                    (step, random) -> {
                        if (step == killAt) {
                            throw new IllegalStateException("worker killed");
                        }
                        kl.restore(klState.get());
                        Map<String, Double> metrics = trainer.step(manager, List.of("Q: a?", "Q: b?", "Q: c?", "Q: d?"),
                                random.nextLong());
                        klState.set(kl.value());
                        return metrics;
                    });
            List<float[]> weights = new ArrayList<>();
            for (NDArray a : BlockWeights.of(model)) {
                weights.add(a.toFloatArray());
            }
            return new Outcome(weights, klState.get());
        }
    }

    private static JobView job(UUID id) {
        Map<String, Object> hyperparameters = Map.of("steps", STEPS, "checkpoint_every", 3, "batch_size", 4,
                "reward_model", "rm/v0001", "kl_coef", 0.05, "kl_target", 0.5, "kl_horizon", 50, "response_length", 6,
                "num_mini_batches", 2);
        return new JobView(id, "fine_tuning.job", Method.PPO, "m", null, hyperparameters, 1, null, "running", false,
                null, null, null, null, null, null, null, null, null, null, null);
    }
}
