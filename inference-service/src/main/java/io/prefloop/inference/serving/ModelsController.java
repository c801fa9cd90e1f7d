package io.prefloop.inference.serving;

import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import io.prefloop.inference.registry.RegistryFollower;
import java.time.Instant;
import io.prefloop.model.nn.conv.ConvolutionSelfCheck;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ModelsController {

    /** The checkpoint in memory. */
    record Loaded(String checkpoint, String version, String reference, String weightsSha256, Instant loadedAt,
            String device, int inFlight) {}

    /**
     * @param current the registry's current version (what should be served)
     * @param loading the version being loaded right now, if any
     * @param refused checkpoints that failed to load or verify, with the reason
     */
    record ModelView(String name, String kind, String current, Loaded loaded, String loading,
            List<ModelSlot.Refusal> refused) {}

    record Registry(String url, Instant lastPoll, String error) {}

    /** @param convolutions the start-up convolution gradient check (docs/djl.md) */
    record ModelsView(List<ModelView> data, Registry registry, Map<String, Object> convolutions) {}

    private final ServedModels models;
    private final RegistryFollower follower;
    private final ModelLoader loader;
    private final String trainerUrl;
    private final ConvolutionSelfCheck.Report convolutions;

    ModelsController(ServedModels models, RegistryFollower follower, ModelLoader loader,
            io.prefloop.inference.InferenceProperties properties, ConvolutionSelfCheck.Report convolutions) {
        this.convolutions = convolutions;
        this.models = models;
        this.follower = follower;
        this.loader = loader;
        this.trainerUrl = properties.trainerUrl();
    }

    @GetMapping("/v1/models")
    @Allow({Role.ADMIN, Role.SERVICE})
    ModelsView models() {
        List<ModelView> views = models.all().stream().map(slot -> {
            LoadedModel m = slot.current();
            Loaded loaded = m == null ? null : new Loaded(m.id().toString(), m.id().version(),
                    m.manifest().reference() == null ? null : m.manifest().reference().toString(),
                    m.manifest().weightsSha256(), m.loadedAt(), loader.device().toString(), m.inFlight());
            return new ModelView(slot.name(), m == null ? null : m.kind().json(), slot.registryVersion(), loaded,
                    slot.loadingVersion(), slot.refusals());
        }).toList();
        return new ModelsView(views, new Registry(trainerUrl, follower.lastPoll(), follower.lastError()),
                convolutions.toMap());
    }
}
