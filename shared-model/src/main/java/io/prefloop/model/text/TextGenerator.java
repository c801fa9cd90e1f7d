package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Samples completions for a batch of prompts. Prompts are left-padded, positions come from the
 * padding mask, and a key/value cache means each step feeds only the newest token; so a row's
 * result does not depend on the padding or on the rest of the batch.
 *
 * <p>Prompt plus completion must fit max_length: max_tokens is capped at max_length − 1 and the
 * prompt keeps its last max_length − max_tokens tokens (TRL's "keep_end").
 */
public final class TextGenerator {

    private final TransformerLm model;
    private final TextTokenizer tokenizer;

    public TextGenerator(TransformerLm model, TextTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /**
     * One row of a batch: its prompt, how to sample it, and which random stream of
     * {@code params.seed()} it draws from (rows of different requests can share a batch and still
     * sample exactly what they would alone).
     */
    public record Row(String prompt, SamplingParams params, int stream) {}

    /** {@code prompts.get(i)} is sampled with stream i of {@code params.seed()}. */
    public List<Generation> generate(NDManager manager, List<String> prompts, SamplingParams params) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            rows.add(new Row(prompts.get(i), params, i));
        }
        return generate(manager, rows);
    }

    /** Each row with its own sampling parameters and stream; the batch runs until its longest row is done. */
    public List<Generation> generate(NDManager manager, List<Row> batch) {
        int rows = batch.size();
        int maxLength = model.spec().maxLength();
        int[] rowMax = new int[rows];
        int maxTokens = 0;
        for (int r = 0; r < rows; r++) {
            rowMax[r] = Math.min(batch.get(r).params().maxTokens(), maxLength - 1);
            maxTokens = Math.max(maxTokens, rowMax[r]);
        }
        int keep = maxLength - maxTokens;

        List<int[]> contexts = new ArrayList<>();
        for (Row row : batch) {
            int[] ids = PromptCompletion.withBos(tokenizer, row.prompt());
            // every row keeps what the batch's longest completion leaves room for: what it would keep
            // alone when the batch's rows share max_tokens (the service's batches do)
            contexts.add(ids.length > keep ? Arrays.copyOfRange(ids, ids.length - keep, ids.length) : ids);
        }
        int promptTime = contexts.stream().mapToInt(c -> c.length).max().orElseThrow();
        long[] promptTokens = new long[rows * promptTime];
        float[] keyMask = new float[rows * (promptTime + maxTokens)]; // grows column by column
        int keyTime = promptTime + maxTokens;
        for (int r = 0; r < rows; r++) {
            int[] ids = contexts.get(r);
            int pad = promptTime - ids.length;
            for (int t = 0; t < promptTime; t++) {
                promptTokens[r * promptTime + t] = t >= pad ? ids[t - pad] : tokenizer.padId();
                keyMask[r * keyTime + t] = t >= pad ? 1 : 0;
            }
        }

        Random[] randoms = new Random[rows];
        List<List<Integer>> generated = new ArrayList<>();
        boolean[] finished = new boolean[rows]; // ended with EOS
        boolean[] stopped = new boolean[rows]; // reached its own max_tokens, the batch goes on
        for (int i = 0; i < rows; i++) {
            // one stream per row, so a row's sample does not depend on the rest of the batch
            randoms[i] = new Random(batch.get(i).params().seed() * 1_000_003L + batch.get(i).stream());
            generated.add(new ArrayList<>());
        }

        ParameterStore store = new ParameterStore(manager, false);
        try (NDManager generation = manager.newSubManager();
                KeyValueCache cache = new KeyValueCache(generation, model.spec().layers())) {
            float[][] logits;
            try (NDManager step = generation.newSubManager()) {
                NDArray mask = step.create(prefix(keyMask, rows, keyTime, promptTime)).reshape(rows, promptTime);
                NDArray tokens = step.create(promptTokens).reshape(rows, promptTime);
                logits = rowsOf(model.nextTokenLogits(store, tokens, AttentionMask.positions(mask),
                        AttentionMask.causalBias(mask), cache));
            }
            for (int s = 0; s < maxTokens; s++) {
                long[] next = new long[rows];
                long[] positions = new long[rows];
                boolean allDone = true;
                for (int r = 0; r < rows; r++) {
                    if (finished[r] || stopped[r]) {
                        next[r] = tokenizer.padId();
                    } else {
                        SamplingParams p = batch.get(r).params();
                        int token = TokenSampler.sample(logits[r], p.temperature(), p.topP(), randoms[r]);
                        generated.get(r).add(token);
                        next[r] = token;
                        finished[r] = token == tokenizer.eosId();
                        stopped[r] = !finished[r] && generated.get(r).size() >= rowMax[r];
                    }
                    allDone &= finished[r] || stopped[r];
                    positions[r] = contexts.get(r).length + s;
                }
                if (allDone || s == maxTokens - 1) {
                    break;
                }
                int known = promptTime + s + 1;
                for (int r = 0; r < rows; r++) {
                    keyMask[r * keyTime + promptTime + s] = 1;
                }
                try (NDManager step = generation.newSubManager()) {
                    NDArray bias = step.create(prefix(keyMask, rows, keyTime, known)).reshape(rows, 1, 1, known)
                            .sub(1f).mul(-AttentionMask.NEGATIVE);
                    logits = rowsOf(model.nextTokenLogits(store, step.create(next).reshape(rows, 1),
                            step.create(positions).reshape(rows, 1), bias, cache));
                }
            }
        }
        List<Generation> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            int[] ids = generated.get(i).stream().mapToInt(Integer::intValue).toArray();
            out.add(new Generation(tokenizer.decode(ids), ids, finished[i]));
        }
        return out;
    }

    /** The first {@code columns} columns of a row-major (rows, width) matrix. */
    private static float[] prefix(float[] matrix, int rows, int width, int columns) {
        float[] out = new float[rows * columns];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(matrix, r * width, out, r * columns, columns);
        }
        return out;
    }

    private static float[][] rowsOf(NDArray logits) {
        int rows = (int) logits.getShape().get(0);
        int vocab = (int) logits.getShape().get(1);
        float[] flat = logits.toFloatArray();
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
        }
        return out;
    }
}
