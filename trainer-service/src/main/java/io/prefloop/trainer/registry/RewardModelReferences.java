package io.prefloop.trainer.registry;

import io.prefloop.common.web.ApiException;
import io.prefloop.model.reward.RewardModelCheckpoints;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Resolves a job's {@code reward_model} ("name/version", or "name" for its current checkpoint) to a
 * registered text reward model checkpoint: when the job is created (a 400 naming the setting, so a
 * typo never queues a job that cannot run) and again when a worker starts it.
 */
@Component
public class RewardModelReferences {

    static final String FIELD = "hyperparameters.reward_model";

    private final Registry registry;

    RewardModelReferences(Registry registry) {
        this.registry = registry;
    }

    /** @throws ApiException 400 naming {@code hyperparameters.reward_model} when there is no such text reward model */
    public CheckpointView resolve(String reference) {
        int slash = reference.indexOf('/');
        CheckpointView checkpoint;
        try {
            checkpoint = slash < 0 ? registry.current(reference)
                    : registry.checkpoint(reference.substring(0, slash), reference.substring(slash + 1));
        } catch (ApiException e) {
            if (e.status() != HttpStatus.NOT_FOUND) {
                throw e;
            }
            throw ApiException.invalid(FIELD, slash < 0
                    ? "no reward model \"" + reference + "\" with a current checkpoint (promote one, or name a version)"
                    : "no checkpoint " + reference);
        }
        Object type = checkpoint.architecture().get("type");
        if (!RewardModelCheckpoints.TEXT.equals(type)) {
            throw ApiException.invalid(FIELD, checkpoint.model() + "/" + checkpoint.version() + " is a " + type
                    + ", not a " + RewardModelCheckpoints.TEXT);
        }
        return checkpoint;
    }
}
