package io.prefloop.inference.reward;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * {@code POST /v1/rewards}: scores candidates for one prompt with a reward model.
 *
 * @param candidates each with exactly one of {@code text} (text reward models) or
 *     {@code image_base64} (PNG, image reward models)
 */
public record RewardRequest(
        @NotBlank @Size(max = 200) String model,
        @NotNull @Size(max = 4000) String prompt,
        @NotEmpty @Size(max = 64) List<@NotNull @Valid Candidate> candidates) {

    public record Candidate(@Size(max = 20_000) String text, @Size(max = 1_000_000) String imageBase64) {}
}
