package io.prefloop.trainer.job;

import java.time.Instant;
import java.util.Map;

/**
 * One line of a job's history: a message, a step's metrics ({@code type: metrics}), the checkpoint
 * it published ({@code publication}: model, version) or what the promotion gate decided
 * ({@code promotion}: the fields of {@link JobView.Promotion}).
 */
public record JobEventView(long id, Instant createdAt, String level, String type, String message,
        Map<String, Object> data) {}
