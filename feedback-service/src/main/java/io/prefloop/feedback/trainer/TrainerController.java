package io.prefloop.feedback.trainer;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import org.springframework.web.bind.annotation.GetMapping;
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
}
