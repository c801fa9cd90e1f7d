package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDList;
import io.prefloop.model.checkpoint.CheckpointExistsException;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.registry.Registry;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Publishes a job's result exactly once. The manifest records the job ({@code dataset.job_id}),
 * so a worker that resumes a job whose previous worker died between publishing to the store and
 * registering finds the checkpoint in the store and registers it instead of training again.
 */
@Component
class Publications {

    private static final int ATTEMPTS = 10;

    private final DirectoryCheckpointStore store;
    private final Registry registry;

    Publications(DirectoryCheckpointStore store, Registry registry) {
        this.store = store;
        this.registry = registry;
    }

    Optional<CheckpointView> existing(JobView job) {
        Optional<CheckpointView> registered = registry.publishedBy(job.id());
        if (registered.isPresent()) {
            return registered;
        }
        return store.list(job.model()).stream()
                .filter(m -> m.dataset() != null && job.id().toString().equals(m.dataset().get("job_id")))
                .findFirst().map(m -> registry.register(m, job.id()));
    }

    /** Publishes as the model's next free version (racing publishers each get their own) and registers it. */
    CheckpointView publish(JobView job, Manifest manifest, NDList weights) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            CheckpointId id = new CheckpointId(job.model(), store.nextVersion(job.model()));
            Manifest named = new Manifest(id.model(), id.version(), manifest.parent(), manifest.reference(),
                    manifest.architecture(), manifest.method(), manifest.hyperparameters(), manifest.dataset(),
                    manifest.metrics(), null, null);
            try {
                return registry.register(store.publish(named, weights), job.id());
            } catch (CheckpointExistsException e) {
                // another job took this version a moment ago: take the next
            }
        }
        throw new IllegalStateException("Could not find a free version of " + job.model() + " to publish to");
    }
}
