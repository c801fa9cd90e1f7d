package io.prefloop.loop;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.shapes.AlignmentEval;
import io.prefloop.model.shapes.Judgment;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.ShapesModel;
import io.prefloop.model.shapes.ShapesOracle;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What the served checkpoint makes of every prompt, judged by the oracle: images generated through
 * the inference-service with the same seeds for every checkpoint (so images pair up across
 * checkpoints), their prompt-alignment rate, and their graded scores for win rates.
 */
final class OracleEvaluation {

    /** One checkpoint's evaluation; {@code samples} holds the PNGs of the first images per prompt. */
    record Result(String checkpoint, AlignmentEval.Result judged, Map<String, List<byte[]>> samples) {
        double alignment() {
            return judged.alignment();
        }
    }

    private static final int SAMPLES_PER_PROMPT = 4;

    private final Http inference;
    private final String key;
    private final LoopOptions options;
    private final ShapesOracle oracle = new ShapesOracle(ShapesModel.IMAGE_SIZE);

    OracleEvaluation(Http inference, String key, LoopOptions options) {
        this.inference = inference;
        this.key = key;
        this.options = options;
    }

    Result run(String model, Runnable afterEachPrompt) {
        List<Prompt> asked = new ArrayList<>();
        List<Judgment> judged = new ArrayList<>();
        Map<String, List<byte[]>> samples = new LinkedHashMap<>();
        String checkpoint = null;
        List<Prompt> prompts = Prompt.pretrained();
        for (int p = 0; p < prompts.size(); p++) {
            Prompt prompt = prompts.get(p);
            JsonNode response = inference.post("/v1/images/generations", key, Map.of("model", model,
                    "prompt", prompt.text(), "n", options.evalImages(), "steps", options.samplerSteps(),
                    "cfg_scale", options.cfgScale(), "seed", 1_000_000L + 1000L * p));
            List<byte[]> shown = new ArrayList<>();
            for (JsonNode image : response.get("data")) {
                byte[] png = Base64.getDecoder().decode(image.get("b64_json").asString());
                String made = image.get("checkpoint").asString();
                if (checkpoint != null && !checkpoint.equals(made)) {
                    throw new IllegalStateException("the served checkpoint changed during the evaluation: " + checkpoint
                            + " then " + made);
                }
                checkpoint = made;
                try (NDManager m = NDManager.newBaseManager()) {
                    judged.add(oracle.judge(ImagePng.decode(m, List.of(png), ShapesModel.IMAGE_SIZE).toFloatArray(), prompt));
                }
                asked.add(prompt);
                if (shown.size() < SAMPLES_PER_PROMPT) {
                    shown.add(png);
                }
            }
            samples.put(prompt.text(), shown);
            afterEachPrompt.run();
        }
        return new Result(checkpoint, new AlignmentEval.Result(asked, judged), samples);
    }
}
