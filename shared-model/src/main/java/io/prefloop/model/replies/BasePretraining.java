package io.prefloop.model.replies;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.PromptCompletion;
import io.prefloop.model.text.TextTokenizer;
import io.prefloop.model.text.TokenBatch;
import io.prefloop.model.text.LanguageModelingLoss;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.model.text.TransformerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Pretrains the replies world's base language model on freshly sampled prompt + reply texts in
 * the configured style mix. Every token after BOS is a training target, prompt included.
 */
public final class BasePretraining {

    private final RepliesWorld world;
    private final TextTokenizer tokenizer;
    private final PretrainingConfig config;

    public BasePretraining(RepliesWorld world, TextTokenizer tokenizer, PretrainingConfig config) {
        this.world = world;
        this.tokenizer = tokenizer;
        this.config = config;
    }

    /** A pretraining text: prompt followed by a reply in a style drawn from the mix. */
    public String sample(Random random) {
        Question q = world.questions().get(random.nextInt(world.questions().size()));
        double u = random.nextDouble();
        Style style = u < config.formalShare() ? Style.FORMAL
                : u < config.formalShare() + config.casualShare() ? Style.CASUAL : Style.TERSE;
        String answer = random.nextDouble() < config.wrongAnswerRate() ? world.wrongAnswer(q, random) : q.answer();
        return q.prompt() + world.reply(q, style, answer, random);
    }

    /** One language-modelling step on a fresh batch of sampled texts; returns its loss. */
    public double step(TransformerLm model, OptimizerStep optimizer, NDManager manager, Random random) {
        List<PromptCompletion> rows = new ArrayList<>();
        for (int i = 0; i < config.batchSize(); i++) {
            rows.add(new PromptCompletion(new int[] {tokenizer.bosId()}, PromptCompletion.withEos(tokenizer, sample(random))));
        }
        try (NDManager stepManager = manager.newSubManager()) {
            TokenBatch batch = TokenBatch.of(stepManager, rows, tokenizer.padId(), model.spec().maxLength());
            float loss;
            try (GradientCollector collector = stepManager.getEngine().newGradientCollector()) {
                NDArray logits = model.forward(new ParameterStore(stepManager, false), batch.inputs(), true).head();
                NDArray l = LanguageModelingLoss.of(logits, batch);
                collector.backward(l);
                loss = l.getFloat();
            }
            optimizer.step();
            return loss;
        }
    }

    /**
     * @param log receives a line every 100 steps
     * @return the trained model (parameters on {@code manager})
     */
    public TransformerLm train(NDManager manager, TransformerSpec spec, Consumer<String> log) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) config.seed());
        TransformerLm model = TransformerLm.create(spec, manager);
        OptimizerStep optimizer = OptimizerStep.adamCosine(model, config.learningRate(), config.steps());
        Random random = new Random(config.seed());
        double running = Double.NaN;
        for (int step = 1; step <= config.steps(); step++) {
            double loss = step(model, optimizer, manager, random);
            running = Double.isNaN(running) ? loss : 0.95 * running + 0.05 * loss;
            if (step % 100 == 0 || step == config.steps()) {
                log.accept(String.format("pretrain step %d/%d loss %.4f", step, config.steps(), running));
            }
        }
        return model;
    }
}
