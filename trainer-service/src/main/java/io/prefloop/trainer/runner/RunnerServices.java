package io.prefloop.trainer.runner;

import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.trainer.feedback.FeedbackClient;
import io.prefloop.trainer.job.Jobs;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.registry.Registry;
import io.prefloop.trainer.registry.RewardModelReferences;
import org.springframework.stereotype.Component;

/** What every runner works with, in one bean, so that a runner's constructor names only itself. */
@Component
record RunnerServices(Publications publications, ResumableTraining training, FeedbackClient feedback,
        Registry registry, DirectoryCheckpointStore store, Jobs jobs, RewardModelReferences rewardModels) {

    /** The model's current checkpoint (a fine-tuning job's start). */
    CheckpointId current(String model) {
        CheckpointView current = registry.current(model);
        return new CheckpointId(current.model(), current.version());
    }
}
