package io.prefloop.feedback.task;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
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
}
