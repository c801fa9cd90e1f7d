package io.prefloop.model.checkpoint;

import java.time.Instant;
import java.util.Map;

/**
 * The {@code manifest.json} next to {@code model.safetensors} (docs/checkpoints.md).
 * Written with snake_case field names. {@code architecture} is whatever the model family needs to
 * rebuild its network (sizes, vocabulary...), so new families need no change here.
 *
 * @param parent the checkpoint this one was trained from, or null for a base model
 * @param reference the frozen reference used by the training method, or null
 * @param dataset which data it was trained on, e.g. {project, comparisons_from, comparisons_to}
 * @param weightsSha256 lowercase hex SHA-256 of the model.safetensors bytes; filled in by the store
 * @param createdAt filled in by the store when null
 */
public record Manifest(
        String model,
        String version,
        CheckpointId parent,
        CheckpointId reference,
        Map<String, Object> architecture,
        String method,
        Map<String, Object> hyperparameters,
        Map<String, Object> dataset,
        Map<String, Object> metrics,
        String weightsSha256,
        Instant createdAt) {

    public Manifest {
        architecture = architecture == null ? Map.of() : Map.copyOf(architecture);
        hyperparameters = hyperparameters == null ? Map.of() : Map.copyOf(hyperparameters);
        dataset = dataset == null ? Map.of() : Map.copyOf(dataset);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }

    /** A manifest to hand to {@link CheckpointStore#publish}; the store fills hash and time. */
    public static Manifest of(CheckpointId id, Map<String, Object> architecture, String method) {
        return new Manifest(id.model(), id.version(), null, null, architecture, method,
                null, null, null, null, null);
    }

    public CheckpointId id() {
        return new CheckpointId(model, version);
    }

    public Manifest withParent(CheckpointId p) {
        return new Manifest(model, version, p, reference, architecture, method, hyperparameters,
                dataset, metrics, weightsSha256, createdAt);
    }

    public Manifest withReference(CheckpointId r) {
        return new Manifest(model, version, parent, r, architecture, method, hyperparameters,
                dataset, metrics, weightsSha256, createdAt);
    }

    public Manifest withHyperparameters(Map<String, Object> h) {
        return new Manifest(model, version, parent, reference, architecture, method, h,
                dataset, metrics, weightsSha256, createdAt);
    }

    public Manifest withDataset(Map<String, Object> d) {
        return new Manifest(model, version, parent, reference, architecture, method,
                hyperparameters, d, metrics, weightsSha256, createdAt);
    }

    public Manifest withMetrics(Map<String, Object> m) {
        return new Manifest(model, version, parent, reference, architecture, method,
                hyperparameters, dataset, m, weightsSha256, createdAt);
    }

    public Manifest withWeightsSha256(String sha) {
        return new Manifest(model, version, parent, reference, architecture, method,
                hyperparameters, dataset, metrics, sha, createdAt);
    }

    public Manifest withCreatedAt(Instant t) {
        return new Manifest(model, version, parent, reference, architecture, method,
                hyperparameters, dataset, metrics, weightsSha256, t);
    }
}
