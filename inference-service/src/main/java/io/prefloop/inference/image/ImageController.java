package io.prefloop.inference.image;

import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.common.auth.Allow;
import io.prefloop.common.auth.Role;
import io.prefloop.common.web.ApiException;
import io.prefloop.inference.serving.LoadedModel;
import io.prefloop.inference.serving.ServedModels;
import io.prefloop.model.diffusion.SamplerSettings;
import jakarta.validation.Valid;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ImageController {

    record GeneratedImage(String b64Json, long seed, String checkpoint, String version) {}

    record Parameters(String prompt, String negativePrompt, int n, int steps, String sampler, double cfgScale,
            double rewardGuidanceScale, double eta, long seed) {}

    record ImageGenerationResponse(long created, String model, List<GeneratedImage> data, Parameters parameters) {}

    private final ImageGenerator generator;
    private final ServedModels models;

    ImageController(ImageGenerator generator, ServedModels models) {
        this.generator = generator;
        this.models = models;
    }

    @PostMapping("/v1/images/generations")
    @Allow({Role.ADMIN, Role.SERVICE})
    ResponseEntity<?> generate(@Valid @RequestBody ImageGenerationRequest r) {
        int n = r.n() == null ? 1 : r.n();
        String format = r.responseFormat() == null ? "b64_json" : r.responseFormat();
        if (format.equals("png") && n != 1) {
            throw ApiException.invalid("response_format", "png returns one image; ask for n = 1 or b64_json");
        }
        LoadedModel served = models.peek(r.model(), "model");
        int trainSteps = ImageGenerator.diffusion(served).policy().spec().trainTimesteps();
        int steps = r.steps() == null ? 25 : r.steps();
        if (steps > trainSteps) {
            throw ApiException.invalid("steps", "must be at most the model's " + trainSteps + " training timesteps");
        }
        SamplerSettings settings = new SamplerSettings(steps,
                SamplerSettings.Kind.parse(r.sampler() == null ? "ddim" : r.sampler()),
                r.eta() == null ? 0 : r.eta(), r.cfgScale() == null ? 3 : r.cfgScale(),
                r.rewardGuidanceScale() == null ? 0 : r.rewardGuidanceScale(), true);
        long seed = r.seed() == null || r.seed() == -1 ? ThreadLocalRandom.current().nextLong(1L << 32) : r.seed();
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            seeds[i] = seed + i;
        }
        String negative = r.negativePrompt() == null || r.negativePrompt().isBlank() ? null : r.negativePrompt();
        ImageGenerator.Result result = generator.generate(new ImageGenerator.Key(r.model(), settings, negative),
                Collections.nCopies(n, r.prompt()), seeds);

        if (format.equals("png")) {
            return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG)
                    .header("Prefloop-Checkpoint", result.checkpoint().toString())
                    .header("Prefloop-Seed", Long.toString(seed))
                    .body(ImagePng.encode(result.images().get(0), result.size()));
        }
        List<GeneratedImage> data = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            data.add(new GeneratedImage(Base64.getEncoder().encodeToString(ImagePng.encode(result.images().get(i), result.size())),
                    seeds[i], result.checkpoint().toString(), result.checkpoint().version()));
        }
        return ResponseEntity.ok(new ImageGenerationResponse(Instant.now().getEpochSecond(), r.model(), data,
                new Parameters(r.prompt(), negative, n, steps, settings.sampler().name().toLowerCase(),
                        settings.cfgScale(), settings.rewardGuidanceScale(), settings.eta(), seed)));
    }
}
