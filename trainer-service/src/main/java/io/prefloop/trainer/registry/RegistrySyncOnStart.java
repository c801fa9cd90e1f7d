package io.prefloop.trainer.registry;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Checkpoints already in the store (a committed base model, another replica's jobs) become visible at start. */
@Component
class RegistrySyncOnStart {

    private final Registry registry;

    RegistrySyncOnStart(Registry registry) {
        this.registry = registry;
    }

    @EventListener(ApplicationReadyEvent.class)
    void sync() {
        registry.syncFromStore();
    }
}
