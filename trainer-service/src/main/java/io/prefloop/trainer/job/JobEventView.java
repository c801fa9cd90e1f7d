package io.prefloop.trainer.job;

import java.time.Instant;
import java.util.Map;

/** One line of a job's history: a message, or a step's metrics ({@code type: metrics}). */
public record JobEventView(long id, Instant createdAt, String level, String type, String message,
        Map<String, Object> data) {}
