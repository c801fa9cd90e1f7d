package io.prefloop.trainer.registry;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A registered checkpoint with its lineage: what it came from, how, on which data, how well. */
public record CheckpointView(String model, String version, String parent, String reference, String method,
        UUID jobId, Map<String, Object> architecture, Map<String, Object> hyperparameters,
        Map<String, Object> dataset, Map<String, Object> metrics, String weightsSha256, Instant createdAt,
        Instant registeredAt, boolean current) {}
