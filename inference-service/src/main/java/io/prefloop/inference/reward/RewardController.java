package io.prefloop.inference.reward;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import jakarta.validation.Valid;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RewardController {

    /** @param normalized (reward − mean)/std over the checkpoint's reference set: comparable across checkpoints */
    record Score(int index, double reward, double normalized) {}

    record RewardResponse(String model, String checkpoint, List<Score> data) {}

    private final RewardScoring scoring;

    RewardController(RewardScoring scoring) {
        this.scoring = scoring;
    }

    @PostMapping("/v1/rewards")
    @Allow({Role.ADMIN, Role.SERVICE})
    RewardResponse score(@Valid @RequestBody RewardRequest request) {
        RewardScoring.Result result = scoring.score(request);
        List<Score> scores = new ArrayList<>();
        for (int i = 0; i < result.rewards().length; i++) {
            scores.add(new Score(i, result.rewards()[i], result.normalizer().normalize(result.rewards()[i])));
        }
        return new RewardResponse(request.model(), result.checkpoint().toString(), scores);
    }
}
