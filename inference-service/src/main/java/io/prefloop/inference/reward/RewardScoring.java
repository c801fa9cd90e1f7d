package io.prefloop.inference.reward;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prefloop.common.web.ApiException;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.inference.serving.Lease;
import io.prefloop.inference.serving.Networks;
import io.prefloop.inference.serving.ServedModels;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.reward.RewardNormalizer;
import io.prefloop.model.text.ByteTokenizer;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.springframework.stereotype.Component;

/** Scores with the current checkpoint of a text or image reward model. */
@Component
public class RewardScoring {

    /** Raw Bradley–Terry rewards and the same normalised with the checkpoint's reference set. */
    public record Result(CheckpointId checkpoint, float[] rewards, RewardNormalizer normalizer) {}

    private final ServedModels models;

    RewardScoring(ServedModels models) {
        this.models = models;
    }

    public Result score(RewardRequest r) {
        int rows = r.candidates().size();
        try (Lease lease = models.lease(r.model(), "model"); NDManager m = lease.model().manager().newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            List<String> prompts = Collections.nCopies(rows, r.prompt());
            if (lease.model().networks() instanceof Networks.TextReward text) {
                List<String> completions = new java.util.ArrayList<>();
                for (int i = 0; i < rows; i++) {
                    RewardRequest.Candidate c = r.candidates().get(i);
                    if (c.text() == null || c.imageBase64() != null) {
                        throw ApiException.invalid("candidates[" + i + "]", "a text reward model needs text (only)");
                    }
                    completions.add(c.text());
                }
                NDList in = text.model().inputs(m, new ByteTokenizer(), prompts, completions);
                float[] rewards = text.model().forward(ps, in, false).head().toFloatArray();
                return new Result(lease.model().id(), rewards, text.normalizer());
            }
            if (lease.model().networks() instanceof Networks.ImageReward image) {
                int size = image.model().spec().imageSize();
                float[] pixels = new float[rows * 3 * size * size];
                for (int i = 0; i < rows; i++) {
                    RewardRequest.Candidate c = r.candidates().get(i);
                    String field = "candidates[" + i + "].image_base64";
                    if (c.imageBase64() == null || c.text() != null) {
                        throw ApiException.invalid("candidates[" + i + "]", "an image reward model needs image_base64 (only)");
                    }
                    float[] chw;
                    try {
                        chw = ImagePng.decodeOrNull(Base64.getDecoder().decode(c.imageBase64()), size);
                    } catch (IllegalArgumentException e) {
                        chw = null;
                    }
                    if (chw == null) {
                        throw ApiException.invalid(field, "must be a base64 PNG of " + size + "×" + size + " pixels");
                    }
                    System.arraycopy(chw, 0, pixels, i * chw.length, chw.length);
                }
                NDList in;
                try {
                    in = image.model().inputs(m, new ByteTokenizer(), m.create(pixels, new Shape(rows, 3, size, size)),
                            prompts);
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalid("prompt", "longer than the reward model reads");
                }
                float[] rewards = image.model().forward(ps, in, false).head().toFloatArray();
                return new Result(lease.model().id(), rewards, image.normalizer());
            }
            throw ApiException.invalid("model", r.model() + " is a " + lease.model().kind().json()
                    + " model, not a reward model");
        }
    }
}
