package io.prefloop.trainer.job;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Allow({Role.ADMIN, Role.SERVICE})
class JobController {

    /**
     * @param model the registry model the job trains (and publishes checkpoints to)
     * @param project the feedback project whose comparisons it learns from
     */
    record NewJob(
            @NotNull Method method,
            @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9._-]{0,63}", message = "must be 1-64 of a-z 0-9 . _ - starting with a letter or digit")
            String model,
            UUID project,
            Map<String, Object> hyperparameters,
            @PositiveOrZero Long seed,
            @Size(max = 64) @Pattern(regexp = "[a-z0-9._-]*", message = "may hold only a-z 0-9 . _ -") String suffix,
            @Size(max = 64) List<@Valid @jakarta.validation.constraints.NotNull ReferenceImage> references) {}

    private final Jobs jobs;

    JobController(Jobs jobs) {
        this.jobs = jobs;
    }

    @PostMapping("/v1/jobs")
    @ResponseStatus(HttpStatus.CREATED)
    JobView create(@Valid @RequestBody NewJob request, Caller caller) {
        return jobs.create(request, caller);
    }

    @GetMapping("/v1/jobs/{id}")
    JobView get(@PathVariable UUID id) {
        return jobs.require(id);
    }

    @GetMapping("/v1/jobs")
    Page<JobView> list(@RequestParam(required = false) @Pattern(regexp = "queued|running|succeeded|failed|cancelled")
            String status, @RequestParam(required = false) String model, @RequestParam(required = false) String after,
            @RequestParam(defaultValue = "100") int limit) {
        return jobs.list(status, model, after, Page.checkLimit(limit));
    }

    @PostMapping("/v1/jobs/{id}/cancel")
    JobView cancel(@PathVariable UUID id) {
        return jobs.cancel(id);
    }

    @GetMapping("/v1/jobs/{id}/events")
    Page<JobEventView> events(@PathVariable UUID id, @RequestParam(required = false) String after,
            @RequestParam(defaultValue = "100") int limit) {
        return jobs.events(id, after, Page.checkLimit(limit));
    }
}
