package io.prefloop.trainer.job;

import io.prefloop.common.web.ApiException;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.family.Serves;
import io.prefloop.trainer.job.settings.MethodSettings;
import io.prefloop.trainer.job.settings.PolicyGradientSettings;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Refuses a DDPO or DPOK job at creation whose {@code reward} names a checkpoint that is not in the
 * store or is not an image reward model (400 naming {@code hyperparameters.reward}), rather than
 * queueing a job bound to fail on the worker.
 */
@Component
class RewardCheck {

    private final DirectoryCheckpointStore store;

    RewardCheck(DirectoryCheckpointStore store) {
        this.store = store;
    }

    void require(MethodSettings settings) {
        if (!(settings instanceof PolicyGradientSettings pg)) {
            return;
        }
        Optional<CheckpointId> id = pg.rewardSource().model();
        if (id.isEmpty()) {
            return;
        }
        Manifest manifest = store.manifest(id.get()).orElseThrow(() -> ApiException.invalid("hyperparameters.reward",
                "names no checkpoint in the store: " + id.get()));
        boolean image;
        try {
            image = ModelFamilies.of(manifest).serves() == Serves.IMAGE_REWARDS;
        } catch (RuntimeException e) {
            image = false;
        }
        if (!image) {
            throw ApiException.invalid("hyperparameters.reward", id.get() + " is not an image reward model");
        }
    }
}
