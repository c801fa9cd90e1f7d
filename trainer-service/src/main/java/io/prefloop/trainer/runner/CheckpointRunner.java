package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.worker.JobContext;
import io.prefloop.trainer.worker.JobRunner;
import java.util.Optional;

/**
 * A runner whose job ends in one published checkpoint: it trains (resuming from the job's
 * intermediate checkpoint when a previous worker died), then publishes exactly once. A job whose
 * checkpoint was already published by a previous attempt is not trained again. Nothing that is not
 * finite is published ({@link FiniteCheckpoint}).
 */
abstract class CheckpointRunner implements JobRunner {

    /** What a run produced: the manifest (its version is assigned on publishing) and the weights. */
    protected record Result(Manifest manifest, NDList weights) {}

    private final Publications publications;
    protected final ResumableTraining training;
    protected final RunnerServices services;

    CheckpointRunner(RunnerServices services) {
        this.publications = services.publications();
        this.training = services.training();
        this.services = services;
    }

    @Override
    public final void run(JobView job, JobContext context) throws Exception {
        Optional<CheckpointView> existing = publications.existing(job);
        if (existing.isPresent()) {
            CheckpointView published = existing.get();
            context.published(published.model(), published.version(), "This job's checkpoint " + published.model()
                    + "/" + published.version() + " was published before the restart; not training again");
        } else {
            try (NDManager manager = NDManager.newBaseManager(context.device())) {
                Result result = train(job, context, manager);
                FiniteCheckpoint.require(result.manifest(), result.weights());
                CheckpointView published = publications.publish(job, result.manifest(), result.weights());
                context.published(published.model(), published.version(),
                        "Published " + published.model() + "/" + published.version());
            }
        }
        training.finished(job);
    }

    protected abstract Result train(JobView job, JobContext context, NDManager manager) throws Exception;
}
