package io.prefloop.loop;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.labeling.Choice;
import io.prefloop.model.labeling.SimulatedLabeler;
import io.prefloop.model.shapes.Judgment;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.ShapesModel;
import io.prefloop.model.shapes.ShapesOracle;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** The shapes world: the committed shapes UNet, tuned by Diffusion-DPO on labelers' image choices. */
final class ShapesLoopWorld implements LoopWorld {

    @Override
    public String model() {
        return "shapes-unet";
    }

    @Override
    public String baseVersion() {
        return "base";
    }

    @Override
    public String modality() {
        return "image";
    }

    @Override
    public String instructions() {
        return "Pick the image that shows the prompt: the right shape in the right colour.";
    }

    @Override
    public List<String> prompts() {
        return Prompt.pretrained().stream().map(Prompt::text).toList();
    }

    @Override
    public String method() {
        return "diffusion_dpo";
    }

    @Override
    public Map<String, Object> methodHyperparameters(LoopOptions o) {
        return Map.of("beta", o.beta(), "sft_weight", o.sftWeight());
    }

    @Override
    public String rewardSetting(String method) {
        return "reward";
    }

    @Override
    public String gateMetric() {
        return "heldout_implicit_acc";
    }

    @Override
    public Map<String, Object> proposalSettings(LoopOptions o) {
        return Map.of("steps", o.samplerSteps(), "cfg_scale", o.cfgScale());
    }

    /** Looks at both images (fetched from their URLs) and prefers the higher graded oracle score. */
    @Override
    public Labeler labeler(int index, LoopOptions o, Http feedback) {
        SimulatedLabeler labeler = new SimulatedLabeler(o.noise(), o.seed() * 1000 + index);
        ShapesOracle oracle = new ShapesOracle(ShapesModel.IMAGE_SIZE);
        return task -> {
            Prompt prompt = Prompt.parse(task.get("prompt").asString());
            Judgment left = look(feedback, oracle, task.get("left"), prompt);
            Judgment right = look(feedback, oracle, task.get("right"), prompt);
            Choice choice = labeler.judge(left.score(), right.score());
            return Labeler.choice(task, choice == Choice.TIE ? null : choice == Choice.A);
        };
    }

    private static Judgment look(Http feedback, ShapesOracle oracle, JsonNode side, Prompt prompt) {
        String url = side.get("image_url").asString();
        byte[] png = feedback.bytes(url.startsWith("http") ? url : feedback.base() + url);
        try (NDManager m = NDManager.newBaseManager()) {
            return oracle.judge(ImagePng.decode(m, List.of(png), ShapesModel.IMAGE_SIZE).toFloatArray(), prompt);
        }
    }

    @Override
    public Evaluation evaluate(Http inference, LoopOptions o, Runnable afterEachPrompt) {
        return new ImageEvaluation().run(inference, o, model(), afterEachPrompt);
    }

    @Override
    public String alignmentName() {
        return "alignment";
    }

    @Override
    public int evaluationPrompts() {
        return Prompt.pretrained().size();
    }
}
