package io.prefloop.trainer.policy;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.trainer.job.Method;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Allow({Role.ADMIN, Role.SERVICE})
class PolicyController {

    /** @param maxRegression the largest quality_regression against the parent accepted (default 0.1) */
    record Gate(@NotBlank @Size(max = 200) String metric, @NotNull Double min,
            @PositiveOrZero @Max(1_000_000) Double maxRegression) {

        double maxRegressionOrDefault() {
            return maxRegression == null ? 0.1 : maxRegression;
        }
    }

    record NewPolicy(@NotNull UUID project, @NotBlank String model, @NotNull Method method,
            Map<String, Object> hyperparameters, @NotNull @Min(1) @Max(1_000_000) Integer everyN,
            @NotNull @Valid Gate gate, @Min(0) @Max(1L << 48) Long seed) {}

    private final Policies policies;

    PolicyController(Policies policies) {
        this.policies = policies;
    }

    @PostMapping("/v1/policies")
    @ResponseStatus(HttpStatus.CREATED)
    PolicyView create(@Valid @RequestBody NewPolicy request, Caller caller) {
        return policies.create(request, caller);
    }

    @GetMapping("/v1/policies")
    List<PolicyView> list() {
        return policies.list();
    }

    @GetMapping("/v1/policies/{id}")
    PolicyView get(@PathVariable UUID id) {
        return policies.require(id);
    }

    @PostMapping("/v1/policies/{id}/pause")
    PolicyView pause(@PathVariable UUID id) {
        return policies.setActive(id, false);
    }

    @PostMapping("/v1/policies/{id}/resume")
    PolicyView resume(@PathVariable UUID id) {
        return policies.setActive(id, true);
    }
}
