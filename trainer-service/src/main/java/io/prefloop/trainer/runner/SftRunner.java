package io.prefloop.trainer.runner;

import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.worker.JobContext;
import io.prefloop.trainer.worker.JobRunner;
import org.springframework.stereotype.Component;

/**
 * {@code sft} for either kind of model: a language model's checkpoint goes to {@link TextSftRunner},
 * a UNet's to {@link ImageSftRunner}; any other family is refused with what sft trains.
 */
@Component
class SftRunner implements JobRunner {

    private final RunnerServices services;
    private final TextSftRunner text;
    private final ImageSftRunner image;

    SftRunner(RunnerServices services) {
        this.services = services;
        this.text = new TextSftRunner(services);
        this.image = new ImageSftRunner(services);
    }

    @Override
    public boolean supports(Method method) {
        return method == Method.SFT;
    }

    @Override
    public void run(JobView job, JobContext context) throws Exception {
        CheckpointId start = services.current(job.model());
        Manifest manifest = services.store().manifest(start)
                .orElseThrow(() -> new IllegalStateException("Checkpoint " + start + " has no manifest"));
        String family = ModelFamilies.nameOf(manifest.architecture());
        if (ModelFamilies.CAUSAL_TRANSFORMER.name().equals(family)) {
            text.run(job, context);
        } else if (ModelFamilies.UNET_EPS.name().equals(family)) {
            image.run(job, context);
        } else {
            throw new IllegalStateException("sft fine-tunes language models (" + ModelFamilies.CAUSAL_TRANSFORMER.name()
                    + ") and UNets (" + ModelFamilies.UNET_EPS.name() + "); " + start + " is a " + family);
        }
    }
}
