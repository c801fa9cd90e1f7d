package io.prefloop.trainer.policy;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import jakarta.validation.Valid;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Allow({Role.ADMIN, Role.SERVICE})
class PolicyController {

    private final Policies policies;

    PolicyController(Policies policies) {
        this.policies = policies;
    }

    @PostMapping("/v1/policies")
    @ResponseStatus(HttpStatus.CREATED)
    PolicyView create(@Valid @RequestBody NewPolicy request, Caller caller) {
        return policies.create(request, caller);
    }

    @GetMapping("/v1/policies")
    List<PolicyView> list() {
        return policies.list();
    }

    @GetMapping("/v1/policies/{id}")
    PolicyView get(@PathVariable UUID id) {
        return policies.require(id);
    }

    @PostMapping("/v1/policies/{id}/pause")
    PolicyView pause(@PathVariable UUID id) {
        return policies.setActive(id, false);
    }

    @PostMapping("/v1/policies/{id}/resume")
    PolicyView resume(@PathVariable UUID id) {
        return policies.setActive(id, true);
    }
}
