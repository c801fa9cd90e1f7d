package io.prefloop.trainer.registry;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RegistryController {

    record Promotion(@NotBlank @Size(max = 64) String version, @Size(max = 2000) String reason) {}

    private final Registry registry;

    RegistryController(Registry registry) {
        this.registry = registry;
    }

    @GetMapping("/v1/models")
    @Allow({Role.ADMIN, Role.SERVICE})
    List<Registry.ModelView> models() {
        return registry.models();
    }

    @GetMapping("/v1/models/{name}/checkpoints")
    @Allow({Role.ADMIN, Role.SERVICE})
    List<CheckpointView> checkpoints(@PathVariable String name) {
        return registry.checkpoints(name);
    }

    @GetMapping("/v1/models/{name}/current")
    @Allow({Role.ADMIN, Role.SERVICE})
    CheckpointView current(@PathVariable String name) {
        return registry.current(name);
    }

    @PostMapping("/v1/models/{name}/promote")
    @Allow(Role.ADMIN)
    CheckpointView promote(@PathVariable String name, @Valid @RequestBody Promotion request, Caller caller) {
        return registry.promote(name, request.version(), request.reason() == null ? "by hand" : request.reason(), caller);
    }

    @PostMapping("/v1/models/sync")
    @Allow(Role.ADMIN)
    Map<String, Integer> sync() {
        return Map.of("registered", registry.syncFromStore());
    }
}
