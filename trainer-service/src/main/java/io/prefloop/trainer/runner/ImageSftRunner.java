package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.model.diffusion.DenoisingComparison;
import io.prefloop.model.diffusion.DenoisingTrainer;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.SftSettings;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * SFT of a UNet: the denoising loss of pretraining ({@link DenoisingTrainer}, with prompt dropout)
 * on the demonstration images. Held out: {@code heldout_model_mse} and {@code heldout_ref_mse} at the
 * same noise and timesteps; {@code quality_regression} is model_mse / ref_mse − 1 (at least 0) on
 * the held-out images, or the training ones when none are held out, as for the other diffusion methods.
 */
final class ImageSftRunner extends FineTuningRunner<SftSettings, UNet> {

    private static final int EVAL_BATCH = 32;

    ImageSftRunner(RunnerServices services) {
        super(services, Method.SFT, SftSettings.class, ModelFamilies.UNET_EPS);
    }

    /** Decoded pixels (3·size·size in [−1, 1]) and prompt tokens of one example. */
    private record Row(float[] pixels, int[] tokens) {}

    @Override
    protected Plan plan(JobView job, SftSettings settings, JobContext context, Start<UNet> start,
            OptimizerStep optimizer, NDManager manager) {
        DemonstrationSet data = DemonstrationSet.read(services.feedback(), job, settings, e -> e.imageSha256() != null);
        context.message("Fine-tuning " + start.id() + " on " + data.describe());
        UNet policy = start.policy();
        Map<String, float[]> cache = new HashMap<>();
        List<Row> training = rows(data.training(), policy, cache);
        List<Row> heldOut = rows(data.heldOut(), policy, cache);
        DenoisingTrainer trainer = new DenoisingTrainer(policy, optimizer, settings.promptDropout(), manager);
        int batch = settings.training().batchSize();
        return new Plan((step, random) -> {
            List<Row> minibatch = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                minibatch.add(training.get(random.nextInt(training.size())));
            }
            try (NDManager m = manager.newSubManager()) {
                NDArray[] arrays = arrays(m, minibatch, policy.spec().imageSize());
                return trainer.step(arrays[0], arrays[1], random).metrics();
            }
        }, c -> {
            boolean held = !heldOut.isEmpty();
            Random random = new Random(job.seed());
            Map<String, Double> check = Evaluation.averaged(held ? heldOut : training, EVAL_BATCH, chunk -> {
                try (NDManager m = manager.newSubManager()) {
                    NDArray[] arrays = arrays(m, chunk, policy.spec().imageSize());
                    return DenoisingComparison.of(policy, start.reference(), policy.spec().noiseSchedule(), arrays[0],
                            arrays[1], random);
                }
            });
            Map<String, Object> metrics = new LinkedHashMap<>();
            if (held) {
                metrics.put("heldout_model_mse", check.get("model_mse"));
                metrics.put("heldout_ref_mse", check.get("ref_mse"));
                c.message("Held out: denoising error " + Evaluation.round(check.get("ref_mse")) + " → "
                        + Evaluation.round(check.get("model_mse")) + " on " + heldOut.size() + " images");
            }
            metrics.put("quality_regression", Math.max(0, check.get("model_mse") / check.get("ref_mse") - 1));
            metrics.put("quality_regression_on", held ? "heldout" : "training");
            return metrics;
        }, data.dataset(job));
    }

    private List<Row> rows(List<DemonstrationSet.Example> examples, UNet policy, Map<String, float[]> cache) {
        int size = policy.spec().imageSize();
        List<Row> rows = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (DemonstrationSet.Example e : examples) {
                float[] pixels = cache.computeIfAbsent(e.imageSha256(),
                        sha -> ImagePng.decode(m, List.of(services.feedback().image(sha)), size).toFloatArray());
                rows.add(new Row(pixels, policy.spec().tokenizer().encode(e.prompt())));
            }
        }
        return rows;
    }

    /** (images, tokens) of {@code rows} in {@code m}. */
    private static NDArray[] arrays(NDManager m, List<Row> rows, int size) {
        int pixels = 3 * size * size;
        int length = rows.get(0).tokens().length;
        float[] images = new float[rows.size() * pixels];
        int[] tokens = new int[rows.size() * length];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i).pixels(), 0, images, i * pixels, pixels);
            System.arraycopy(rows.get(i).tokens(), 0, tokens, i * length, length);
        }
        return new NDArray[] {m.create(images, new Shape(rows.size(), 3, size, size)),
                m.create(tokens, new Shape(rows.size(), length))};
    }
}
