package io.prefloop.inference.serving;

import io.prefloop.common.web.ApiException;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** Every model name the service knows, each with its slot. */
@Component
public class ServedModels {

    private final Map<String, ModelSlot> slots = new ConcurrentHashMap<>();

    public ModelSlot slot(String name) {
        return slots.computeIfAbsent(name, ModelSlot::new);
    }

    public List<ModelSlot> all() {
        List<ModelSlot> list = new ArrayList<>(slots.values());
        list.sort(java.util.Comparator.comparing(ModelSlot::name));
        return list;
    }

    /** The model being served under {@code name} (for validation; it may be swapped any moment). */
    public LoadedModel peek(String name, String field) {
        ModelSlot slot = slots.get(name);
        LoadedModel model = slot == null ? null : slot.current();
        if (model == null) {
            throw unavailable(slot, name, field);
        }
        return model;
    }

    /** Holds the current model of {@code name}: 404 when unknown, 503 while its first checkpoint loads. */
    public Lease lease(String name, String field) {
        ModelSlot slot = slots.get(name);
        Lease lease = slot == null ? null : slot.lease();
        if (lease == null) {
            throw unavailable(slot, name, field);
        }
        return lease;
    }

    /** Installs a freshly loaded model; the previous one goes once its requests are done. */
    public void install(LoadedModel model) {
        slot(model.id().model()).install(model);
    }

    private static ApiException unavailable(ModelSlot slot, String name, String field) {
        if (slot == null || slot.registryVersion() == null) {
            return new ApiException(HttpStatus.NOT_FOUND, "Not found", "Model " + name + " is not served here",
                    List.of(new io.prefloop.common.web.FieldProblem(field, "unknown model " + name)));
        }
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Model not loaded",
                "Model " + name + " has no checkpoint loaded yet (current " + slot.registryVersion() + ")");
    }

    @PreDestroy
    void closeAll() {
        for (ModelSlot slot : slots.values()) {
            LoadedModel model = slot.current();
            if (model != null) {
                slot.install(null);
            }
        }
    }
}
