package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.diffusion.DcoLoss;
import io.prefloop.model.diffusion.DcoTrainer;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.shapes.ShapesModel;
import io.prefloop.trainer.feedback.FeedbackClient;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Jobs;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.ReferenceImage;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.registry.Registry;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
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
class DcoRunner extends CheckpointRunner {

    private final FeedbackClient feedback;
    private final Registry registry;
    private final DirectoryCheckpointStore store;
    private final Jobs jobs;

    DcoRunner(Publications publications, ResumableTraining training, FeedbackClient feedback, Registry registry,
            DirectoryCheckpointStore store, Jobs jobs) {
        super(publications, training);
        this.feedback = feedback;
        this.registry = registry;
        this.store = store;
        this.jobs = jobs;
    }

    @Override
    public boolean supports(Method method) {
        return method == Method.DCO;
    }

    @Override
    protected Result train(JobView job, JobContext context, NDManager manager) {
        CheckpointView start = registry.current(job.model());
        CheckpointId startId = new CheckpointId(start.model(), start.version());
        UNet policy = ModelFamilies.UNET_EPS.load(store, startId, manager);
        UNet reference = ShapesModel.frozenCopy(policy, manager);
        int size = policy.spec().imageSize();

        List<String> prompts = new ArrayList<>();
        List<byte[]> pngs = new ArrayList<>();
        for (ReferenceImage r : jobs.references(job.id())) {
            if (r.candidate() != null) {
                FeedbackClient.CandidateContent c = feedback.candidate(r.candidate());
                if (c.imageSha256() == null) {
                    throw new IllegalStateException("Candidate " + r.candidate() + " is text, not an image");
                }
                prompts.add(c.prompt());
                pngs.add(feedback.image(c.imageSha256()));
            } else {
                prompts.add(r.prompt());
                pngs.add(Base64.getDecoder().decode(r.imageBase64()));
            }
        }
        NDArray images = ImagePng.decode(manager, pngs, size);
        NDArray tokens = policy.spec().tokenizer().encode(manager, prompts);
        context.message("Personalising " + startId + " on " + prompts.size() + " reference images");

        Map<String, Object> h = job.hyperparameters();
        int batch = ((Number) h.get("batch_size")).intValue();
        OptimizerStep optimizer = OptimizerStep.adam(policy, ((Number) h.get("learning_rate")).floatValue());
        DcoTrainer trainer = new DcoTrainer(policy, reference, new DcoLoss(((Number) h.get("beta")).doubleValue()),
                optimizer, manager);
        Map<String, Double> last = training.run(job, context, policy, optimizer, manager, (step, random) -> {
            int[] rows = random.ints(batch, 0, prompts.size()).toArray();
            try (NDManager m = manager.newSubManager()) {
                NDArray index = m.create(rows);
                return trainer.step(images.get(index), tokens.get(index), random).metrics();
            }
        });
        Map<String, Object> metrics = new LinkedHashMap<>(last);
        try (NDManager m = manager.newSubManager()) {
            Map<String, Double> check = trainer.evaluate(images, tokens, new Random(job.seed())).metrics();
            metrics.put("references_model_mse", check.get("model_mse"));
            metrics.put("references_ref_mse", check.get("ref_mse"));
            metrics.put("quality_regression", Math.max(0, check.get("model_mse") / check.get("ref_mse") - 1));
            metrics.put("quality_regression_on", "references");
        }
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("reference_images", prompts.size());
        dataset.put("prompts", List.copyOf(new java.util.LinkedHashSet<>(prompts)));
        dataset.put("job_id", job.id().toString());
        Manifest manifest = Manifest.of(new CheckpointId(job.model(), "next"),
                ModelFamilies.UNET_EPS.architecture(policy), "dco")
                .withParent(startId).withReference(startId).withHyperparameters(h).withDataset(dataset)
                .withMetrics(metrics);
        return new Result(manifest, BlockWeights.of(policy));
    }
}
