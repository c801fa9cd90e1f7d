package io.prefloop.inference.text;

import ai.djl.ndarray.NDManager;
import io.prefloop.common.web.ApiException;
import io.prefloop.inference.serving.Lease;
import io.prefloop.inference.serving.Networks;
import io.prefloop.inference.serving.ServedModels;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.Generation;
import io.prefloop.model.text.SamplingParams;
import io.prefloop.model.text.TextGenerator;
import java.util.List;
import org.springframework.stereotype.Component;

/** Completions from the current checkpoint of a language model. */
@Component
public class TextCompletions {

    public record Result(CheckpointId checkpoint, List<Generation> generations) {}

    private final ServedModels models;

    TextCompletions(ServedModels models) {
        this.models = models;
    }

    /** {@code prompts.get(i)} is sampled with stream i of {@code params.seed()}. */
    public Result complete(String model, List<String> prompts, SamplingParams params) {
        try (Lease lease = models.lease(model, "model")) {
            if (!(lease.model().networks() instanceof Networks.Language language)) {
                throw ApiException.invalid("model", model + " is a " + lease.model().kind().json()
                        + " model, not a language model");
            }
            try (NDManager m = lease.model().manager().newSubManager()) {
                List<Generation> out = new TextGenerator(language.model(), new ByteTokenizer()).generate(m, prompts, params);
                return new Result(lease.model().id(), out);
            }
        }
    }
}
