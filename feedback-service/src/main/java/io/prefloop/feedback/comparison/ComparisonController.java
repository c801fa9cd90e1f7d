package io.prefloop.feedback.comparison;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.Page;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ComparisonController {

    private final Comparisons comparisons;

    ComparisonController(Comparisons comparisons) {
        this.comparisons = comparisons;
    }

    @GetMapping("/v1/projects/{projectId}/comparisons")
    @Allow({Role.ADMIN, Role.SERVICE})
    Page<ComparisonView> comparisons(@PathVariable UUID projectId, @RequestParam(required = false) String after,
            @RequestParam(defaultValue = "100") int limit) {
        return comparisons.page(projectId, after, limit);
    }
}
