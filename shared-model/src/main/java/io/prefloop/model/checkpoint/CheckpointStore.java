package io.prefloop.model.checkpoint;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Optional;

/**
 * Where checkpoints live (docs/checkpoints.md). A published checkpoint is immutable: publishing
 * the same model/version twice fails with {@link CheckpointExistsException}; readers see a
 * checkpoint completely or not at all; loading verifies the weights' SHA-256.
 */
public interface CheckpointStore {

    /**
     * Publishes {@code weights} (each tensor named) under {@code manifest.id()}. The store fills in
     * {@code weights_sha256} and, when null, {@code created_at}.
     *
     * @return the manifest as written
     * @throws CheckpointExistsException if that model/version is already published
     */
    Manifest publish(Manifest manifest, NDList weights);

    /** Loads and verifies: throws {@link CheckpointIntegrityException} when the hash differs. */
    Checkpoint load(CheckpointId id, NDManager manager);

    /** Just the manifest (no hash check: nothing is read from the weights). */
    Optional<Manifest> manifest(CheckpointId id);

    boolean exists(CheckpointId id);

    /** Model names with at least one published checkpoint, sorted. */
    List<String> models();

    /** Manifests of a model's checkpoints, oldest first (by creation time, then version). */
    List<Manifest> list(String model);

    /** A version name not yet used for {@code model}: {@code v0001}, {@code v0002}, ... */
    String nextVersion(String model);
}
