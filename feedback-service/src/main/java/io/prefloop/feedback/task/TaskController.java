package io.prefloop.feedback.task;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.ApiException;
import io.prefloop.common.web.Page;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class TaskController {

    private final Tasks tasks;

    TaskController(Tasks tasks) {
        this.tasks = tasks;
    }

    /** The next pair for this labeler, leased to them; 204 when the project has none left for them. */
    @GetMapping("/v1/projects/{projectId}/tasks/next")
    @Allow(Role.LABELER)
    ResponseEntity<TaskView> next(@PathVariable UUID projectId, Caller caller) {
        return tasks.next(projectId, caller).map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.noContent().build());
    }

    /** The caller's live leases, oldest first (at most the lease limit, plus one given back by an undo). */
    @GetMapping("/v1/projects/{projectId}/tasks")
    @Allow(Role.LABELER)
    Page<TaskView> held(@PathVariable UUID projectId, Caller caller) {
        return new Page<>(tasks.held(projectId, caller), null, false);
    }

    /** The caller's progress; {@code since} (an ISO instant) is where "today" starts, UTC midnight by default. */
    @GetMapping("/v1/projects/{projectId}/progress")
    @Allow(Role.LABELER)
    ProgressView progress(@PathVariable UUID projectId, Caller caller,
            @RequestParam(required = false) String since) {
        Instant from;
        try {
            from = since == null ? LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(since);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("since", "must be an ISO-8601 instant such as 2025-01-31T23:00:00Z");
        }
        return tasks.progress(projectId, caller, from);
    }
}
