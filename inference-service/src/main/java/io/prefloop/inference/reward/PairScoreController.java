package io.prefloop.inference.reward;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.UUID;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class PairScoreController {

    record ScoreRequest(@NotBlank @Size(max = 200) String rewardModel) {}

    private final PairScoring scoring;

    PairScoreController(PairScoring scoring) {
        this.scoring = scoring;
    }

    /** Scores the project's open pairs with the reward model's current checkpoint (for uncertainty selection). */
    @PostMapping("/v1/projects/{project}/pair-scores")
    @Allow({Role.ADMIN, Role.SERVICE})
    PairScoring.Result score(@PathVariable UUID project, @Valid @RequestBody ScoreRequest request) {
        return scoring.scoreOpenPairs(project, request.rewardModel());
    }
}
