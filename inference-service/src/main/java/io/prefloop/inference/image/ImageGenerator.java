package io.prefloop.inference.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.prefloop.common.web.ApiException;
import io.prefloop.inference.InferenceProperties;
import io.prefloop.inference.batching.AwaitedJob;
import io.prefloop.inference.batching.DynamicBatcher;
import io.prefloop.inference.serving.Lease;
import io.prefloop.inference.serving.LoadedModel;
import io.prefloop.inference.serving.Networks;
import io.prefloop.inference.serving.ServedModels;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Image generation through the dynamic batcher: requests for the same model with the same sampler
 * settings and negative prompt share one sampler run (prompts and seeds may differ; each image's
 * noise comes from its own seed). The run holds a lease on the model, so a swap waits for it.
 */
@Component
public class ImageGenerator implements DisposableBean {

    /** What must be equal for requests to share a sampler run. */
    public record Key(String model, SamplerSettings settings, String negativePrompt) {}

    /** Images (3, size, size) in [−1, 1], in request order, and the checkpoint that made them. */
    public record Result(CheckpointId checkpoint, List<float[]> images, int size) {}

    static final class Job extends AwaitedJob<Result> {
        final List<String> prompts;
        final long[] seeds;

        Job(List<String> prompts, long[] seeds) {
            this.prompts = prompts;
            this.seeds = seeds;
        }

        @Override
        public int size() {
            return prompts.size();
        }
    }

    private final ServedModels models;
    private final DynamicBatcher<Key, Job> batcher;

    ImageGenerator(ServedModels models, InferenceProperties properties) {
        this.models = models;
        InferenceProperties.Batching b = properties.batching();
        this.batcher = new DynamicBatcher<>("image-batcher", this::run, b.maxBatch(), b.maxDelay(), b.queueCapacity(),
                b.workers());
    }

    /** Queues the request and waits for its images; throws QueueFullException when the queue is full. */
    public Result generate(Key key, List<String> prompts, long[] seeds) {
        Job job = new Job(prompts, seeds);
        batcher.submit(key, job);
        return job.await();
    }

    public DynamicBatcher<Key, Job> batcher() {
        return batcher;
    }

    private void run(Key key, List<Job> jobs) {
        List<String> prompts = new ArrayList<>();
        long[] seeds = new long[0];
        for (Job job : jobs) {
            prompts.addAll(job.prompts);
            int at = seeds.length;
            seeds = Arrays.copyOf(seeds, at + job.seeds.length);
            System.arraycopy(job.seeds, 0, seeds, at, job.seeds.length);
        }
        try (Lease lease = models.lease(key.model(), "model")) {
            Networks.Diffusion d = diffusion(lease.model());
            Sampler sampler = sampler(d, key.settings());
            int size = d.policy().spec().imageSize();
            float[] flat;
            try (NDManager m = lease.model().manager().newSubManager()) {
                NDArray images = key.negativePrompt() == null
                        ? sampler.sample(m, prompts, seeds, key.settings())
                        : sampler.sample(m, prompts, key.negativePrompt(), seeds, key.settings());
                flat = images.toFloatArray();
            }
            int per = 3 * size * size;
            int row = 0;
            for (Job job : jobs) {
                List<float[]> images = new ArrayList<>();
                for (int i = 0; i < job.size(); i++, row++) {
                    images.add(Arrays.copyOfRange(flat, row * per, (row + 1) * per));
                }
                job.complete(new Result(lease.model().id(), images, size));
            }
        }
    }

    /** The diffusion networks of a loaded model, or 400 naming {@code model}. */
    public static Networks.Diffusion diffusion(LoadedModel model) {
        if (model.networks() instanceof Networks.Diffusion d) {
            return d;
        }
        throw ApiException.invalid("model", model.id().model() + " is a " + model.kind().json()
                + " model, not an image model");
    }

    /**
     * Plain CFG with the served checkpoint when w_rg = 0; else DCO reward guidance with the
     * checkpoint as ε_θ and its recorded reference as ε_ref.
     */
    public static Sampler sampler(Networks.Diffusion d, SamplerSettings s) {
        if (s.rewardGuidanceScale() == 0) {
            return new Sampler(d.policy(), null, d.policy().spec());
        }
        if (d.reference() == null) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "Invalid request",
                    "reward_guidance_scale: the served checkpoint records no reference model",
                    List.of(new io.prefloop.common.web.FieldProblem("reward_guidance_scale",
                            "the served checkpoint records no reference model")));
        }
        return new Sampler(d.reference(), d.policy(), d.policy().spec());
    }

    @Override
    public void destroy() {
        batcher.close();
    }
}
