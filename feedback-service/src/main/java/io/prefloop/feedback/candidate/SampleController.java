package io.prefloop.feedback.candidate;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.ApiException;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SampleController {

    private final Samples samples;

    SampleController(Samples samples) {
        this.samples = samples;
    }

    /** Candidates by the checkpoint that made them and by prompt: the dashboard's sample grid. */
    @GetMapping("/v1/projects/{projectId}/samples")
    @Allow({Role.ADMIN, Role.SERVICE})
    SampleGrid grid(@PathVariable UUID projectId, @RequestParam(defaultValue = "6") int prompts,
            @RequestParam(defaultValue = "20") int checkpoints) {
        if (prompts < 1 || prompts > 24) {
            throw ApiException.invalid("prompts", "must be between 1 and 24");
        }
        if (checkpoints < 1 || checkpoints > 100) {
            throw ApiException.invalid("checkpoints", "must be between 1 and 100");
        }
        return samples.grid(projectId, prompts, checkpoints);
    }
}
