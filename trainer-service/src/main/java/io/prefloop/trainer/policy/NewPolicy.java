package io.prefloop.trainer.policy;

import io.prefloop.trainer.job.Method;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.UUID;

/** {@code POST /v1/policies}; a campaign creates its policy from the same fields (less project and model). */
public record NewPolicy(@NotNull UUID project, @NotBlank String model, @NotNull Method method,
        Map<String, Object> hyperparameters, @NotNull @Min(1) @Max(1_000_000) Integer everyN,
        @NotNull @Valid Gate gate, @Min(0) @Max(1L << 48) Long seed) {

    /**
     * @param maxRegression the largest quality_regression against the parent accepted (default 0.1)
     * @param minVotes for {@code human_win_rate}: the votes to wait for before deciding (default 100)
     */
    public record Gate(@NotBlank @Size(max = 200) String metric, @NotNull Double min,
            @PositiveOrZero @Max(1_000_000) Double maxRegression, @Min(1) @Max(1_000_000) Integer minVotes) {

        double maxRegressionOrDefault() {
            return maxRegression == null ? 0.1 : maxRegression;
        }
    }
}
