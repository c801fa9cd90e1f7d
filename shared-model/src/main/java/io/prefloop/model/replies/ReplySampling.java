package io.prefloop.model.replies;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.text.Generation;
import io.prefloop.model.text.SamplingParams;
import io.prefloop.model.text.TextGenerator;
import io.prefloop.model.text.TextTokenizer;
import io.prefloop.model.text.TransformerLm;
import java.util.ArrayList;
import java.util.List;

/** Samples replies from a model for the world's questions and judges them with the oracle. */
public final class ReplySampling {

    /** Long enough for the longest well-formed reply plus EOS. */
    public static final int MAX_REPLY_TOKENS = 40;

    private ReplySampling() {}

    /** A sampled reply to one prompt. */
    public record Sample(String prompt, Generation generation) {}

    /** {@code perQuestion} samples for every question, in batches of {@code batchSize}. */
    public static List<Sample> sample(NDManager manager, TransformerLm model, TextTokenizer tokenizer,
            List<Question> questions, int perQuestion, double temperature, long seed, int batchSize) {
        List<String> prompts = new ArrayList<>();
        for (Question q : questions) {
            for (int i = 0; i < perQuestion; i++) {
                prompts.add(q.prompt());
            }
        }
        TextGenerator generator = new TextGenerator(model, tokenizer);
        List<Sample> out = new ArrayList<>();
        for (int start = 0; start < prompts.size(); start += batchSize) {
            List<String> chunk = prompts.subList(start, Math.min(prompts.size(), start + batchSize));
            try (NDManager sub = manager.newSubManager()) {
                List<Generation> gens = generator.generate(sub, chunk,
                        new SamplingParams(MAX_REPLY_TOKENS, temperature, 1.0, seed + start));
                for (int i = 0; i < chunk.size(); i++) {
                    out.add(new Sample(chunk.get(i), gens.get(i)));
                }
            }
        }
        return out;
    }

    public static ReplyStats stats(ReplyOracle oracle, List<Sample> samples) {
        ReplyStats.Counter counter = new ReplyStats.Counter(oracle.preferred());
        for (Sample s : samples) {
            counter.add(oracle.judge(s.prompt(), s.generation().text(), s.generation().finished()));
        }
        return counter.stats();
    }
}
