package io.prefloop.feedback.evaluation;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class EvaluationController {

    record WinRates(List<WinRate> data) {}

    private final Evaluations evaluations;

    EvaluationController(Evaluations evaluations) {
        this.evaluations = evaluations;
    }

    /** Win rates of each checkpoint against the one it was compared with, oldest evaluation first. */
    @GetMapping("/v1/projects/{projectId}/evaluations")
    @Allow({Role.ADMIN, Role.SERVICE})
    WinRates evaluations(@PathVariable UUID projectId, @RequestParam(required = false) String checkpoint) {
        return new WinRates(evaluations.winRates(projectId, checkpoint));
    }
}
