package io.prefloop.trainer.job;

import jakarta.validation.constraints.Size;
import java.util.UUID;

/**
 * A reference image for DCO: a candidate of the feedback-service (its prompt and image), or an
 * uploaded PNG with the prompt that describes it.
 */
public record ReferenceImage(UUID candidate, @Size(max = 1000) String prompt,
        @Size(max = 350_000) String imageBase64) {}
