package io.prefloop.model.family;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.Checkpoint;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.CheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import java.util.Map;

/**
 * One architecture family of the checkpoint format: its name in the manifest's architecture map,
 * how to build the network from that map, and what the network serves. Families are listed in
 * {@link ModelFamilies}.
 */
public interface ModelFamily<B extends Block> {

    /** The manifest's {@code architecture.family} (or, for the older families, {@code architecture.type}). */
    String name();

    Serves serves();

    /** A fresh (untrained) network for an architecture map of this family. */
    B create(Map<String, Object> architecture, NDManager manager);

    /** The architecture map that {@link #create} rebuilds {@code model} from. */
    Map<String, Object> architecture(B model);

    /** Rebuilds the network a checkpoint describes and fills it with its (hash-verified) weights. */
    default B load(CheckpointStore store, CheckpointId id, NDManager manager) {
        try (NDManager tmp = manager.newSubManager()) {
            Checkpoint checkpoint = store.load(id, tmp);
            B model = create(checkpoint.manifest().architecture(), manager);
            BlockWeights.load(model, checkpoint.weights());
            return model;
        }
    }

    /**
     * A frozen copy of a model (its parameters take no gradient): the reference that preference
     * fine-tuning measures the policy against.
     */
    default B frozenCopy(B model, NDManager manager) {
        B copy = create(architecture(model), manager);
        BlockWeights.load(copy, BlockWeights.of(model));
        copy.freezeParameters(true);
        return copy;
    }

    /** Publishes the model; {@code manifest}'s architecture is replaced by the model's own. */
    default Manifest publish(CheckpointStore store, Manifest manifest, B model) {
        Manifest withArchitecture = new Manifest(manifest.model(), manifest.version(), manifest.parent(),
                manifest.reference(), architecture(model), manifest.method(), manifest.hyperparameters(),
                manifest.dataset(), manifest.metrics(), null, manifest.createdAt());
        return store.publish(withArchitecture, BlockWeights.of(model));
    }
}
