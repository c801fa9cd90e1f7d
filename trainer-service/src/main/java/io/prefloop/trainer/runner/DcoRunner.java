package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.diffusion.DcoTrainer;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.trainer.feedback.FeedbackClient;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.ReferenceImage;
import io.prefloop.trainer.job.settings.DcoSettings;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.springframework.stereotype.Component;

/**
 * DCO (Lee et al. 2024): personalises a diffusion model on a few captioned reference images while
 * its loss keeps it close to the frozen current checkpoint. The references are candidates of the
 * feedback-service or PNGs uploaded with the job. {@code quality_regression} compares the denoising
 * error on the references with the parent's (a tuned model should not do worse on its own
 * references); there are no held-out comparisons for DCO.
 */
@Component
class DcoRunner extends FineTuningRunner<DcoSettings, UNet> {

    DcoRunner(RunnerServices services) {
        super(services, Method.DCO, DcoSettings.class, ModelFamilies.UNET_EPS);
    }

    @Override
    protected Plan plan(JobView job, DcoSettings settings, JobContext context, Start<UNet> start,
            OptimizerStep optimizer, NDManager manager) {
        UNet policy = start.policy();
        int size = policy.spec().imageSize();
        List<String> prompts = new ArrayList<>();
        List<byte[]> pngs = new ArrayList<>();
        for (ReferenceImage r : services.jobs().references(job.id())) {
            if (r.candidate() != null) {
                FeedbackClient.CandidateContent c = services.feedback().candidate(r.candidate());
                if (c.imageSha256() == null) {
                    throw new IllegalStateException("Candidate " + r.candidate() + " is text, not an image");
                }
                prompts.add(c.prompt());
                pngs.add(services.feedback().image(c.imageSha256()));
            } else {
                prompts.add(r.prompt());
                pngs.add(Base64.getDecoder().decode(r.imageBase64()));
            }
        }
        NDArray images = ImagePng.decode(manager, pngs, size);
        NDArray tokens = policy.spec().tokenizer().encode(manager, prompts);
        context.message("Personalising " + start.id() + " on " + prompts.size() + " reference images");
        DcoTrainer trainer = new DcoTrainer(policy, start.reference(), settings.loss(), optimizer, manager);
        int batch = settings.training().batchSize();

        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("reference_images", prompts.size());
        dataset.put("prompts", List.copyOf(new LinkedHashSet<>(prompts)));
        dataset.put("job_id", job.id().toString());
        return new Plan((step, random) -> {
            int[] rows = random.ints(batch, 0, prompts.size()).toArray();
            try (NDManager m = manager.newSubManager()) {
                NDArray index = m.create(rows);
                return trainer.step(images.get(index), tokens.get(index), random).metrics();
            }
        }, c -> {
            Map<String, Object> metrics = new LinkedHashMap<>();
            try (NDManager m = manager.newSubManager()) {
                Map<String, Double> check = trainer.evaluate(images, tokens, new Random(job.seed())).metrics();
                metrics.put("references_model_mse", check.get("model_mse"));
                metrics.put("references_ref_mse", check.get("ref_mse"));
                metrics.put("quality_regression", Math.max(0, check.get("model_mse") / check.get("ref_mse") - 1));
                metrics.put("quality_regression_on", "references");
            }
            return metrics;
        }, dataset);
    }
}
