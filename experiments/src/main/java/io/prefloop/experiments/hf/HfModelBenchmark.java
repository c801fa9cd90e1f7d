package io.prefloop.experiments.hf;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.experiments.Arguments;
import io.prefloop.experiments.StepTimes;
import io.prefloop.model.hf.Gpt2Model;
import io.prefloop.model.hf.HfConfig;
import io.prefloop.model.hf.HfWeights;
import io.prefloop.model.hf.LlamaConfig;
import io.prefloop.model.hf.LlamaForCausalLM;
import io.prefloop.model.hf.LoraConfig;
import io.prefloop.model.hf.LoraDpoTrainer;
import io.prefloop.model.hf.LoraDpoTrainer.PreferenceIds;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoLoss;
import io.prefloop.model.text.PromptCompletion;
import io.prefloop.model.text.SequenceLogProbs;
import io.prefloop.model.text.TokenBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Speed and memory of a GPT-2-small-sized model, with random weights written locally (config.json
 * and model.safetensors in a temporary directory, normal(0, 0.02) from a seed) and loaded from
 * there as a user's model directory is loaded. One part per JVM, so that resident memory is not mixed:
 *
 * <ul>
 *   <li>{@code gpt2-generation}: GPT-2 124M greedy generation, with the KV cache ({@code generateGreedy})
 *       and without it (the whole sequence's {@code logits} again for every new token); tokens/s
 *       per run and the median.
 *   <li>{@code lora-dpo}: a Llama-style ~124M model, one LoRA-DPO step ({@link LoraDpoTrainer}) per
 *       timing; seconds per step and VmRSS after the steps.
 *   <li>{@code full-dpo}: the same model and batch, every weight trained with Adam, the reference a
 *       second, frozen copy of the weights.
 * </ul>
 *
 * <pre>
 * java ... io.prefloop.experiments.hf.HfModelBenchmark --part gpt2-generation --runs 3
 * java ... io.prefloop.experiments.hf.HfModelBenchmark --part lora-dpo --warmup 1 --steps 5
 * </pre>
 */
public final class HfModelBenchmark {

    public static void main(String[] argv) throws Exception {
        Arguments a = new Arguments(argv);
        String part = a.string("part", "gpt2-generation");
        int runs = a.integer("runs", 3);
        int promptTokens = a.integer("prompt", 32);
        int newTokens = a.integer("new-tokens", 64);
        int warmup = a.integer("warmup", 1);
        int steps = a.integer("steps", 5);
        int pairs = a.integer("pairs", 4);
        int completion = a.integer("completion", 64);
        int layers = a.integer("layers", 12);
        long seed = a.longInteger("seed", 0);
        if (!a.finish(System.out)) {
            return;
        }
        if (!List.of("gpt2-generation", "lora-dpo", "full-dpo").contains(part)) {
            throw new IllegalArgumentException("--part must be gpt2-generation, lora-dpo or full-dpo, not " + part);
        }
        Engine.getInstance().setRandomSeed((int) seed);
        System.out.println("threads: torch num_threads=" + System.getProperty("ai.djl.pytorch.num_threads")
                + " interop=" + System.getProperty("ai.djl.pytorch.num_interop_threads")
                + ", cores=" + Runtime.getRuntime().availableProcessors());
        Path dir = Files.createTempDirectory("hf-bench");
        try {
            if (part.equals("gpt2-generation")) {
                gpt2Generation(dir, layers, seed, runs, promptTokens, newTokens);
            } else {
                dpo(dir, layers, seed, part.equals("lora-dpo"), warmup, steps, pairs, promptTokens, completion);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void gpt2Generation(Path dir, int layers, long seed, int runs, int promptTokens, int newTokens)
            throws IOException {
        int d = 768;
        int vocab = 50257;
        int positions = 1024;
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"gpt2\",\"architectures\":[\"GPT2LMHeadModel\"],"
                + "\"n_layer\":" + layers + ",\"n_embd\":" + d + ",\"n_head\":12,\"vocab_size\":" + vocab
                + ",\"n_positions\":" + positions + ",\"activation_function\":\"gelu_new\"}", StandardCharsets.UTF_8);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("transformer.wte.weight", new long[] {vocab, d});
        shapes.put("transformer.wpe.weight", new long[] {positions, d});
        for (int i = 0; i < layers; i++) {
            String h = "transformer.h." + i + ".";
            shapes.put(h + "ln_1.weight", new long[] {d});
            shapes.put(h + "ln_1.bias", new long[] {d});
            shapes.put(h + "attn.c_attn.weight", new long[] {d, 3 * d});
            shapes.put(h + "attn.c_attn.bias", new long[] {3 * d});
            shapes.put(h + "attn.c_proj.weight", new long[] {d, d});
            shapes.put(h + "attn.c_proj.bias", new long[] {d});
            shapes.put(h + "ln_2.weight", new long[] {d});
            shapes.put(h + "ln_2.bias", new long[] {d});
            shapes.put(h + "mlp.c_fc.weight", new long[] {d, 4 * d});
            shapes.put(h + "mlp.c_fc.bias", new long[] {4 * d});
            shapes.put(h + "mlp.c_proj.weight", new long[] {4 * d, d});
            shapes.put(h + "mlp.c_proj.bias", new long[] {d});
        }
        shapes.put("transformer.ln_f.weight", new long[] {d});
        shapes.put("transformer.ln_f.bias", new long[] {d});
        writeWeights(dir, shapes, seed);
        int[] prompt = new Random(seed + 1).ints(promptTokens, 0, vocab).toArray();
        try (NDManager m = NDManager.newBaseManager(); Gpt2Model model = Gpt2Model.load(dir, m)) {
            System.out.println("rss after load: " + rssMb() + " MB");
            double[] cached = new double[runs];
            double[] uncached = new double[runs];
            int[] reference = null;
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                int[] out;
                try (NDManager s = m.newSubManager()) {
                    out = model.generateGreedy(s, prompt, newTokens);
                }
                cached[r] = newTokens / ((System.nanoTime() - t0) / 1e9);
                reference = out;
                System.out.printf("run %d kv-cache: %.2f tokens/s%n", r, cached[r]);
            }
            for (int r = 0; r < runs; r++) {
                int[] seq = Arrays.copyOf(prompt, promptTokens + newTokens);
                double[] perToken = new double[newTokens];
                long t0 = System.nanoTime();
                for (int k = 0; k < newTokens; k++) {
                    long t1 = System.nanoTime();
                    try (NDManager s = m.newSubManager()) {
                        int len = promptTokens + k;
                        NDArray logits = model.logits(s, new int[][] {Arrays.copyOf(seq, len)});
                        seq[len] = (int) logits.get(new NDIndex("0, -1")).argMax().getLong();
                    }
                    perToken[k] = (System.nanoTime() - t1) / 1e6;
                }
                uncached[r] = newTokens / ((System.nanoTime() - t0) / 1e9);
                boolean same = reference != null && Arrays.equals(Arrays.copyOfRange(seq, 0, reference.length), reference)
                        || reference != null && Arrays.equals(Arrays.copyOfRange(seq, promptTokens, seq.length), reference);
                System.out.printf("run %d no-cache: %.2f tokens/s; ms per token: first 4 %s, last 4 %s; same tokens as cached: %s%n",
                        r, uncached[r], fmt(Arrays.copyOfRange(perToken, 0, 4)),
                        fmt(Arrays.copyOfRange(perToken, newTokens - 4, newTokens)), same);
            }
            double mc = median(cached);
            double mu = median(uncached);
            System.out.printf("RESULT gpt2-generation layers=%d prompt=%d new=%d kv-cache median %.2f tokens/s, "
                    + "no-cache median %.2f tokens/s, ratio %.2f; rss %d MB%n", layers, promptTokens, newTokens, mc, mu,
                    mc / mu, rssMb());
        }
    }

    private static void dpo(Path dir, int layers, long seed, boolean lora, int warmup, int steps, int pairs,
            int promptTokens, int completion) throws IOException {
        int vocab = 32000;
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\",\"architectures\":[\"LlamaForCausalLM\"],"
                + "\"hidden_size\":768,\"intermediate_size\":2048,\"num_hidden_layers\":" + layers
                + ",\"num_attention_heads\":12,\"num_key_value_heads\":4,\"vocab_size\":" + vocab
                + ",\"max_position_embeddings\":2048,\"rms_norm_eps\":1e-5,\"rope_theta\":10000.0,"
                + "\"tie_word_embeddings\":false,\"hidden_act\":\"silu\"}", StandardCharsets.UTF_8);
        LlamaConfig config = LlamaConfig.fromMap(HfConfig.read(dir).asMap());
        Map<String, long[]> shapes = new LinkedHashMap<>();
        LlamaForCausalLM.expectedShapes(config).forEach((k, v) -> shapes.put(k, v.getShape()));
        long count = shapes.values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (x, y) -> x * y)).sum();
        System.out.println("llama parameters: " + count);
        writeWeights(dir, shapes, seed);
        Random random = new Random(seed + 2);
        List<PreferenceIds> batch = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            batch.add(new PreferenceIds(random.ints(promptTokens, 1, vocab).toArray(),
                    random.ints(completion, 1, vocab).toArray(), random.ints(completion, 1, vocab).toArray()));
        }
        DpoConfig dpo = DpoConfig.sigmoid(0.1);
        double[] ms = new double[warmup + steps];
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaForCausalLM model = LlamaForCausalLM.load(dir, m);
            String what;
            if (lora) {
                model.addLora(new LoraConfig(8, 16, 0, List.of("q_proj", "v_proj")), m, seed);
                LoraDpoTrainer trainer = new LoraDpoTrainer(model, dpo, OptimizerStep.adam(model.lora(), 1e-4f));
                for (int i = 0; i < ms.length; i++) {
                    long t0 = System.nanoTime();
                    trainer.step(m, batch);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                    System.out.printf("step %d: %.0f ms, rss %d MB%n", i, ms[i], rssMb());
                }
                what = "lora-dpo r=8 alpha=16 q_proj,v_proj";
            } else {
                LlamaForCausalLM reference = LlamaForCausalLM.load(dir, m);
                for (Parameter p : reference.weights().values()) {
                    p.freeze(true);
                    p.getArray().setRequiresGradient(false);
                }
                for (Parameter p : model.weights().values()) {
                    p.getArray().setRequiresGradient(true);
                }
                OptimizerStep optimizer = OptimizerStep.adam(model, 1e-5f);
                DpoLoss loss = new DpoLoss(dpo);
                for (int i = 0; i < ms.length; i++) {
                    long t0 = System.nanoTime();
                    fullStep(m, model, reference, loss, optimizer, batch);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                    System.out.printf("step %d: %.0f ms, rss %d MB%n", i, ms[i], rssMb());
                }
                what = "full-dpo (reference a separate frozen copy)";
            }
            long rss = rssMb();
            double[] timed = Arrays.copyOfRange(ms, warmup, ms.length);
            StepTimes.report("java " + what + " pairs=" + pairs + " tokens=" + (promptTokens + completion), timed);
            System.out.printf("RESULT %s layers=%d pairs=%d tokens=%d median %.2f s/step over %d steps; VmRSS after steps %d MB%n",
                    what, layers, pairs, promptTokens + completion, median(timed) / 1000, timed.length, rss);
        }
    }

    /** One full fine-tuning DPO step: the reference copy without gradient, the policy's every weight trained. */
    private static void fullStep(NDManager parent, LlamaForCausalLM policy, LlamaForCausalLM reference, DpoLoss loss,
            OptimizerStep optimizer, List<PreferenceIds> pairs) {
        try (NDManager manager = parent.newSubManager()) {
            int n = pairs.size();
            List<PromptCompletion> rows = new ArrayList<>();
            pairs.forEach(p -> rows.add(new PromptCompletion(p.prompt(), p.chosen())));
            pairs.forEach(p -> rows.add(new PromptCompletion(p.prompt(), p.rejected())));
            TokenBatch batch = TokenBatch.of(manager, rows, 0, policy.config().maxPositionEmbeddings());
            NDArray refLogits = reference.forward(new ParameterStore(manager, false), batch.inputs(), false).head();
            NDArray ref = SequenceLogProbs.of(refLogits, batch).sum().stopGradient();
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray logits = policy.forward(new ParameterStore(manager, false), batch.inputs(), true).head();
                SequenceLogProbs all = SequenceLogProbs.of(logits, batch);
                NDArray sel = all.sum();
                NDArray nll = sel.get(new NDIndex("0:{}", n)).sum().neg()
                        .div(all.tokenCount().get(new NDIndex("0:{}", n)).sum().maximum(1f));
                DpoLoss.Result result = loss.compute(sel.get(new NDIndex("0:{}", n)), sel.get(new NDIndex("{}:", n)),
                        ref.get(new NDIndex("0:{}", n)), ref.get(new NDIndex("{}:", n)), nll);
                collector.backward(result.loss());
            }
            optimizer.step();
        }
    }

    private static void writeWeights(Path dir, Map<String, long[]> shapes, long seed) {
        Random random = new Random(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            int size = (int) Arrays.stream(e.getValue()).reduce(1, (x, y) -> x * y);
            float[] values = new float[size];
            boolean norm = e.getValue().length == 1 && (e.getKey().contains("ln_") || e.getKey().contains("norm"));
            for (int i = 0; i < size; i++) {
                values[i] = norm && e.getKey().endsWith("weight") ? 1f
                        : e.getKey().endsWith("bias") ? 0f : (float) (random.nextGaussian() * 0.02);
            }
            tensors.put(e.getKey(), values);
        }
        HfWeights.write(dir.resolve(HfWeights.SINGLE_FILE), tensors, shapes, "F32");
    }

    /** VmRSS of this process in MB (from /proc/self/status), −1 where there is none. */
    static long rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String fmt(double[] xs) {
        StringBuilder b = new StringBuilder();
        for (double x : xs) {
            b.append(b.length() == 0 ? "" : " ").append(String.format("%.0f", x));
        }
        return b.toString();
    }
}
