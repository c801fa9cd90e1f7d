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
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The shapes world's evaluation: images generated through the inference-service with the same
 * seeds for every checkpoint (so images pair up across checkpoints), judged by the pixel oracle —
 * prompt-alignment rate, and graded scores for win rates.
 */
final class ImageEvaluation {

    private static final int SAMPLES_PER_PROMPT = 4;

    private final ShapesOracle oracle = new ShapesOracle(ShapesModel.IMAGE_SIZE);

    Evaluation run(Http inference, LoopOptions options, String model, Runnable afterEachPrompt) {
        List<Prompt> asked = new ArrayList<>();
        List<Judgment> judged = new ArrayList<>();
        Map<String, List<Evaluation.Shown>> samples = new LinkedHashMap<>();
        Checkpoints checkpoint = new Checkpoints();
        List<Prompt> prompts = Prompt.pretrained();
        for (int p = 0; p < prompts.size(); p++) {
            Prompt prompt = prompts.get(p);
            JsonNode response = inference.post("/v1/images/generations", options.serviceKey(), Map.of("model", model,
                    "prompt", prompt.text(), "n", options.evalSamples(), "steps", options.samplerSteps(),
                    "cfg_scale", options.cfgScale(), "seed", 1_000_000L + 1000L * p));
            List<Evaluation.Shown> shown = new ArrayList<>();
            for (JsonNode image : response.get("data")) {
                byte[] png = Base64.getDecoder().decode(image.get("b64_json").asString());
                checkpoint.saw(image.get("checkpoint").asString());
                try (NDManager m = NDManager.newBaseManager()) {
                    judged.add(oracle.judge(ImagePng.decode(m, List.of(png), ShapesModel.IMAGE_SIZE).toFloatArray(), prompt));
                }
                asked.add(prompt);
                if (shown.size() < SAMPLES_PER_PROMPT) {
                    shown.add(new Evaluation.Shown(png, null));
                }
            }
            samples.put(prompt.text(), shown);
            afterEachPrompt.run();
        }
        AlignmentEval.Result result = new AlignmentEval.Result(asked, judged);
        String detail = String.format(Locale.ROOT, "colour %.2f, shape %.2f", result.colourAccuracy(),
                result.shapeAccuracy());
        return new Evaluation(checkpoint.only(), result.alignment(), judged.stream().map(Judgment::score).toList(),
                detail, samples);
    }

    /** The checkpoint every sample of one evaluation must come from. */
    static final class Checkpoints {
        private String seen;

        void saw(String checkpoint) {
            if (seen != null && !seen.equals(checkpoint)) {
                throw new IllegalStateException("the served checkpoint changed during the evaluation: " + seen + " then "
                        + checkpoint);
            }
            seen = checkpoint;
        }

        String only() {
            return seen;
        }
    }
}
