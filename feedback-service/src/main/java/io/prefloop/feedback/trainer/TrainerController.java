package io.prefloop.feedback.trainer;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class TrainerController {

    private final TrainerClient trainer;

    TrainerController(TrainerClient trainer) {
        this.trainer = trainer;
    }

    /** The trainer's models and checkpoints (via the service key), for the dashboard; 502 if the trainer fails. */
    @GetMapping("/v1/trainer/models")
    @Allow(Role.ADMIN)
    TrainerModels models() {
        return trainer.models();
    }

    /** The project's campaigns on the trainer; {@code configured: false} when no trainer is set. */
    @GetMapping("/v1/trainer/campaigns")
    @Allow(Role.ADMIN)
    TrainerCampaigns campaigns(@RequestParam UUID project) {
        return trainer.campaigns(project);
    }

    /** One campaign with its depth history, proposals and evaluations; 404 unknown, 503 no trainer set. */
    @GetMapping("/v1/trainer/campaigns/{id}/overview")
    @Allow(Role.ADMIN)
    CampaignOverview overview(@PathVariable UUID id) {
        return trainer.overview(id);
    }
}
