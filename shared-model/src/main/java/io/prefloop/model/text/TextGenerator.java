package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Samples completions for a batch of prompts. Rows are left-padded so that every row's last
 * position is its newest token; positions come from the padding mask, so a row's result does not
 * depend on the padding. Each step recomputes the whole sequence (no key/value cache): at these
 * model sizes the per-op overhead dominates, not the sequence length.
 */
public final class TextGenerator {

    private final TransformerLm model;
    private final TextTokenizer tokenizer;

    public TextGenerator(TransformerLm model, TextTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public List<Generation> generate(NDManager manager, List<String> prompts, SamplingParams params) {
        int rows = prompts.size();
        List<int[]> contexts = new ArrayList<>();
        List<List<Integer>> generated = new ArrayList<>();
        Random[] randoms = new Random[rows];
        boolean[] finished = new boolean[rows];
        for (int i = 0; i < rows; i++) {
            contexts.add(PromptCompletion.withBos(tokenizer, prompts.get(i)));
            generated.add(new ArrayList<>());
            // One stream per row, so a row's sample does not depend on the rest of the batch.
            randoms[i] = new Random(params.seed() * 1_000_003L + i);
        }
        int maxLength = model.spec().maxLength();
        ParameterStore store = new ParameterStore(manager, false);
        for (int step = 0; step < params.maxTokens(); step++) {
            List<Integer> active = new ArrayList<>();
            for (int i = 0; i < rows; i++) {
                if (!finished[i]) {
                    active.add(i);
                }
            }
            if (active.isEmpty()) {
                break;
            }
            float[][] lastLogits;
            try (NDManager stepManager = manager.newSubManager()) {
                NDList inputs = leftPadded(stepManager, active, contexts, generated, maxLength);
                NDArray logits = model.forward(store, inputs, false).head();
                long time = logits.getShape().get(1);
                NDArray last = logits.get(new NDIndex(":, {}, :", time - 1));
                int vocab = (int) last.getShape().get(1);
                float[] flat = last.toFloatArray();
                lastLogits = new float[active.size()][];
                for (int r = 0; r < active.size(); r++) {
                    lastLogits[r] = Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
                }
            }
            for (int r = 0; r < active.size(); r++) {
                int row = active.get(r);
                int next = TokenSampler.sample(lastLogits[r], params.temperature(), params.topP(), randoms[row]);
                generated.get(row).add(next);
                if (next == tokenizer.eosId()) {
                    finished[row] = true;
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

    /** Context = prompt + generated so far, keeping the last maxLength tokens; left-padded. */
    private NDList leftPadded(NDManager manager, List<Integer> active, List<int[]> contexts,
            List<List<Integer>> generated, int maxLength) {
        List<int[]> sequences = new ArrayList<>();
        for (int row : active) {
            int[] prompt = contexts.get(row);
            List<Integer> gen = generated.get(row);
            int[] all = Arrays.copyOf(prompt, prompt.length + gen.size());
            for (int j = 0; j < gen.size(); j++) {
                all[prompt.length + j] = gen.get(j);
            }
            sequences.add(all.length > maxLength ? Arrays.copyOfRange(all, all.length - maxLength, all.length) : all);
        }
        int time = sequences.stream().mapToInt(s -> s.length).max().orElseThrow();
        long[] tokens = new long[sequences.size() * time];
        float[] mask = new float[sequences.size() * time];
        for (int r = 0; r < sequences.size(); r++) {
            int[] seq = sequences.get(r);
            int pad = time - seq.length;
            for (int t = 0; t < time; t++) {
                boolean real = t >= pad;
                tokens[r * time + t] = real ? seq[t - pad] : tokenizer.padId();
                mask[r * time + t] = real ? 1 : 0;
            }
        }
        return new NDList(
                manager.create(tokens).reshape(sequences.size(), time),
                manager.create(mask).reshape(sequences.size(), time));
    }
}
