package io.prefloop.feedback.candidate;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A model output to be compared, with what made it.
 *
 * @param imageUrl stable URL of the PNG (content-addressed), for image candidates
 * @param demonstration an example of what the model should produce (supervised fine-tuning data)
 * @param author who wrote a demonstration (a labeler's id), when a caller did
 */
public record CandidateView(UUID id, UUID projectId, String prompt, String text, String imageSha256,
        String imageUrl, String model, String checkpoint, Long seed, Map<String, Object> params,
        boolean demonstration, String author, Instant createdAt) {}
