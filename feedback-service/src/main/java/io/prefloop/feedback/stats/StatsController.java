package io.prefloop.feedback.stats;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class StatsController {

    private final Stats stats;

    StatsController(Stats stats) {
        this.stats = stats;
    }

    @GetMapping("/v1/projects/{projectId}/stats")
    @Allow({Role.ADMIN, Role.SERVICE})
    ProjectStats stats(@PathVariable UUID projectId) {
        return stats.of(projectId);
    }

    /** {@code bucket=auto} picks minutes for a project judged within six hours, hours within two weeks, else days. */
    @GetMapping("/v1/projects/{projectId}/stats/activity")
    @Allow({Role.ADMIN, Role.SERVICE})
    Activity activity(@PathVariable UUID projectId, @RequestParam(defaultValue = "auto") String bucket) {
        return stats.activity(projectId, bucket);
    }
}
