package io.prefloop.loop;

import io.prefloop.model.labeling.Choice;
import io.prefloop.model.labeling.SimulatedLabeler;
import io.prefloop.model.replies.RepliesWorld;
import io.prefloop.model.replies.ReplyOracle;
import io.prefloop.model.replies.Style;
import java.util.List;
import java.util.Map;

/**
 * The replies world: the committed small language model, tuned by DPO towards the formal style the
 * labelers prefer. Proposals are made for the training questions; the evaluation also asks the
 * held-out ones.
 */
final class RepliesLoopWorld implements LoopWorld {

    /** Long enough for the longest well-formed reply and its end of text. */
    static final int MAX_TOKENS = 40;

    private final RepliesWorld world = RepliesWorld.standard();
    private final ReplyOracle oracle = new ReplyOracle(world, Style.FORMAL);

    @Override
    public String model() {
        return "replies-base";
    }

    @Override
    public String baseVersion() {
        return "v0001";
    }

    @Override
    public String modality() {
        return "text";
    }

    @Override
    public String instructions() {
        return "Pick the better reply: a correct answer in a full, formal sentence.";
    }

    @Override
    public List<String> prompts() {
        return world.trainQuestions().stream().map(q -> q.prompt()).toList();
    }

    @Override
    public String method() {
        return "dpo";
    }

    @Override
    public Map<String, Object> methodHyperparameters(LoopOptions o) {
        return Map.of("beta", o.beta(), "rpo_alpha", o.rpoAlpha());
    }

    @Override
    public String rewardSetting(String method) {
        return "reward_model";
    }

    @Override
    public String gateMetric() {
        return "heldout_rewards/accuracies";
    }

    @Override
    public Map<String, Object> proposalSettings(LoopOptions o) {
        return Map.of("max_tokens", MAX_TOKENS, "temperature", 1.0);
    }

    /** Reads both replies and prefers the higher oracle score (well-formed, formal, correct). */
    @Override
    public Labeler labeler(int index, LoopOptions o, Http feedback) {
        SimulatedLabeler labeler = new SimulatedLabeler(o.noise(), o.seed() * 1000 + index);
        return task -> {
            String prompt = task.get("prompt").asString();
            Choice v = labeler.judge(oracle.score(prompt, task.get("left").get("text").asString()),
                    oracle.score(prompt, task.get("right").get("text").asString()));
            return Labeler.choice(task, v == Choice.TIE ? null : v == Choice.A);
        };
    }

    @Override
    public Evaluation evaluate(Http inference, LoopOptions o, Runnable afterEachPrompt) {
        return new TextEvaluation().run(inference, o, model(), world, oracle, afterEachPrompt);
    }

    @Override
    public String alignmentName() {
        return "formal";
    }

    @Override
    public int evaluationPrompts() {
        return world.questions().size();
    }
}
