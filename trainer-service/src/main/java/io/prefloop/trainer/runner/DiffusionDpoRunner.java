package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.diffusion.DiffusionDpoTrainer;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.DiffusionDpoSettings;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.springframework.stereotype.Component;

/**
 * Diffusion-DPO (Wallace et al. 2023, eq. 14; β in diffusers' convention, see docs/diffusion.md)
 * for a diffusion model: from its current checkpoint, also the frozen reference, on the project's
 * decisive image comparisons. Held-out metrics (prefixed {@code heldout_}) average
 * {@value #EVAL_REPEATS} draws of timestep and noise per pair, the same draws for every checkpoint;
 * {@code quality_regression} is how much the policy's denoising error on the preferred images
 * grew over its parent's (model_mse / ref_mse − 1, at least 0): the drift that undid the second
 * round in docs/diffusion.md's experiment.
 */
@Component
class DiffusionDpoRunner extends FineTuningRunner<DiffusionDpoSettings, UNet> {

    static final int EVAL_REPEATS = 4;
    private static final int EVAL_BATCH = 32;

    DiffusionDpoRunner(RunnerServices services) {
        super(services, Method.DIFFUSION_DPO, DiffusionDpoSettings.class, ModelFamilies.UNET_EPS);
    }

    @Override
    protected Plan plan(JobView job, DiffusionDpoSettings settings, JobContext context, Start<UNet> start,
            OptimizerStep optimizer, NDManager manager) {
        ComparisonSet data = ComparisonSet.read(services.feedback(), job, ImagePairs::usable);
        context.message("Training on " + data.describe() + " from " + start.id());
        UNet policy = start.policy();
        int size = policy.spec().imageSize();
        Map<String, float[]> cache = ImagePairs.newCache();
        ImagePairs training = ImagePairs.fetch(services.feedback(), data.training(), size, policy.spec().tokenizer(), cache);
        ImagePairs heldOut = ImagePairs.fetch(services.feedback(), data.heldOut(), size, policy.spec().tokenizer(), cache);
        DiffusionDpoTrainer trainer = new DiffusionDpoTrainer(policy, start.reference(), settings.loss(), optimizer, manager);
        int batch = settings.training().batchSize();

        return new Plan((step, random) -> {
            int[] rows = random.ints(batch, 0, training.size()).toArray();
            try (NDManager m = manager.newSubManager()) {
                NDArray[] inputs = training.batch(m, rows);
                return trainer.step(inputs[0], inputs[1], inputs[2], random).metrics();
            }
        }, c -> {
            Map<String, Object> metrics = new LinkedHashMap<>();
            boolean held = heldOut.size() > 0;
            Map<String, Double> evaluation = evaluate(trainer, held ? heldOut : training, job.seed(), manager);
            if (held) {
                evaluation.forEach((k, v) -> metrics.put("heldout_" + k, v));
                c.message("Held out: implicit_acc " + Evaluation.round(evaluation.get("implicit_acc")) + ", loss "
                        + Evaluation.round(evaluation.get("loss")) + " on " + heldOut.size() + " pairs");
            }
            metrics.put("quality_regression", Math.max(0, evaluation.get("model_mse") / evaluation.get("ref_mse") - 1));
            metrics.put("quality_regression_on", held ? "heldout" : "training");
            return metrics;
        }, data.dataset(job));
    }

    private static Map<String, Double> evaluate(DiffusionDpoTrainer trainer, ImagePairs pairs, long seed,
            NDManager manager) {
        Random random = new Random(seed);
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < EVAL_REPEATS; r++) {
            IntStream.range(0, pairs.size()).forEach(rows::add);
        }
        return Evaluation.averaged(rows, EVAL_BATCH, chunk -> {
            try (NDManager m = manager.newSubManager()) {
                NDArray[] inputs = pairs.batch(m, chunk.stream().mapToInt(Integer::intValue).toArray());
                return trainer.evaluate(inputs[0], inputs[1], inputs[2], random).metrics();
            }
        });
    }
}
