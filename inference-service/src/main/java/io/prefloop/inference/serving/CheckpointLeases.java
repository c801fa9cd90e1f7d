package io.prefloop.inference.serving;

import io.prefloop.common.web.ApiException;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.CheckpointNotFoundException;
import org.springframework.stereotype.Component;

/**
 * A lease on a named checkpoint of a model rather than its current one: the served model when it
 * is that version, otherwise the checkpoint loaded from the store for this request alone and
 * released with the lease. Campaigns render a checkpoint the gate has not promoted yet this way.
 */
@Component
public class CheckpointLeases {

    private final ServedModels models;
    private final ModelLoader loader;

    CheckpointLeases(ServedModels models, ModelLoader loader) {
        this.models = models;
        this.loader = loader;
    }

    /** @param version null for the current checkpoint */
    public Lease lease(String model, String version, String field) {
        if (version == null) {
            return models.lease(model, field);
        }
        LoadedModel served = models.slot(model).current();
        if (served != null && served.id().version().equals(version)) {
            Lease lease = models.lease(model, field);
            if (lease.model().id().version().equals(version)) {
                return lease;
            }
            lease.close(); // swapped meanwhile
        }
        CheckpointId id;
        try {
            id = new CheckpointId(model, version);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("checkpoint", e.getMessage());
        }
        try {
            return new Lease(loader.load(id, null));
        } catch (CheckpointNotFoundException e) {
            throw ApiException.invalid("checkpoint", "no checkpoint " + id + " in the store");
        }
    }
}
