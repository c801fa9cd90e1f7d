package io.prefloop.model.replies;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoTrainer;
import io.prefloop.model.text.Generation;
import io.prefloop.model.text.LanguageModels;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.ReferenceLogProbs;
import io.prefloop.model.text.SamplingParams;
import io.prefloop.model.text.TextGenerator;
import io.prefloop.model.text.TextPreference;
import io.prefloop.model.text.TransformerLm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * DPO training throughput (pairs/s) and generation throughput (tokens/s) of the replies world's
 * base model size, on CPU. Measures, does not test; excluded from the default run:
 * <pre>mvn -pl shared-model test -Dgroups=benchmark -DexcludedGroups= -Dtest=LanguageBenchmark</pre>
 * Results go to stdout and target/benchmarks/language.md.
 */
@Tag("benchmark")
class LanguageBenchmark {

    private static final ByteTokenizer TOKENIZER = new ByteTokenizer();

    @Test
    void dpoAndGenerationThroughput() throws IOException {
        RepliesWorld world = RepliesWorld.standard();
        Random random = new Random(0);
        List<String> lines = new ArrayList<>();
        lines.add("model: " + RepliesModels.SPEC + ", torch threads: " + System.getProperty("ai.djl.pytorch.num_threads", "default"));
        lines.add("");
        lines.add("| DPO (sigmoid) | pairs/step | ms/step | pairs/s |");
        lines.add("|---|---|---|---|");
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm policy = TransformerLm.create(RepliesModels.SPEC, manager);
            TransformerLm reference = LanguageModels.frozenCopy(policy, manager);
            for (int pairsPerStep : new int[] {8, 16, 32}) {
                List<TextPreference> pairs = new ArrayList<>();
                for (int i = 0; i < pairsPerStep; i++) {
                    Question q = world.questions().get(random.nextInt(world.questions().size()));
                    pairs.add(new TextPreference(q.prompt(), world.reply(q, Style.FORMAL, q.answer(), random),
                            world.reply(q, Style.CASUAL, q.answer(), random)));
                }
                DpoTrainer live = new DpoTrainer(policy, reference, TOKENIZER, DpoConfig.sigmoid(0.1), OptimizerStep.adam(policy, 1e-4f));
                lines.add(dpoRow("reference model", pairsPerStep, time(() -> live.step(manager, pairs))));
                List<ReferenceLogProbs> ref = DpoTrainer.precompute(manager, reference, TOKENIZER, pairs, pairsPerStep);
                DpoTrainer offline = new DpoTrainer(policy, null, TOKENIZER, DpoConfig.sigmoid(0.1), OptimizerStep.adam(policy, 1e-4f));
                lines.add(dpoRow("precomputed reference", pairsPerStep, time(() -> offline.step(manager, pairs, ref))));
            }

            lines.add("");
            lines.add("| generation (KV cache, T=1, top-p 1) | prompts/batch | new tokens | s | tokens/s |");
            lines.add("|---|---|---|---|---|");
            TextGenerator generator = new TextGenerator(policy, TOKENIZER);
            for (int rows : new int[] {1, 16, 64}) {
                List<String> prompts = new ArrayList<>();
                for (int i = 0; i < rows; i++) {
                    prompts.add(world.questions().get(i % world.questions().size()).prompt());
                }
                SamplingParams params = new SamplingParams(32, 1.0, 1.0, 3);
                generator.generate(manager, prompts, params); // warm-up
                long start = System.nanoTime();
                int tokens = 0;
                int repeats = rows == 1 ? 10 : 3;
                for (int r = 0; r < repeats; r++) {
                    for (Generation g : generator.generate(manager, prompts, params)) {
                        tokens += g.tokens().length;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                lines.add(String.format("| untrained base size | %d | %d | %.2f | %.0f |", rows, tokens, seconds, tokens / seconds));
            }
        }
        lines.forEach(System.out::println);
        Path out = Path.of("target/benchmarks/language.md");
        Files.createDirectories(out.getParent());
        Files.write(out, lines);
    }

    private static String dpoRow(String label, int pairs, double msPerStep) {
        return String.format("| %s | %d | %.0f | %.1f |", label, pairs, msPerStep, pairs * 1000 / msPerStep);
    }

    /** Median milliseconds of 15 calls after 3 warm-up calls. */
    private static double time(Runnable step) {
        for (int i = 0; i < 3; i++) {
            step.run();
        }
        double[] ms = new double[15];
        for (int i = 0; i < ms.length; i++) {
            long start = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
