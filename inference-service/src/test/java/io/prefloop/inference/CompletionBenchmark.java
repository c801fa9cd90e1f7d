package io.prefloop.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.support.Platform;
import io.prefloop.inference.text.TextCompletions;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.SamplingParams;
import io.prefloop.model.text.TextGenerator;
import io.prefloop.model.text.TransformerLm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Completions/s and latency of {@code POST /v1/completions} (replies-base, n = 1, max_tokens
 * {@value #TOKENS}, temperature 1, a seed per request) at 1, 4 and 16 closed-loop clients, batched
 * across requests (max batch 16, delay 50 ms: the defaults) and unbatched (max batch 1), against the
 * bare {@code TextGenerator} at batch 16 and 1 (no HTTP, queue or lease). Run: {@code mvn -B verify
 * -pl inference-service -am -Dgroups=benchmark -Dsurefire.excludedGroups=
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtest=CompletionBenchmark}; option {@code
 * -Dbench.seconds=15}. Report: target/benchmarks/completions.md.
 */
@Tag("benchmark")
class CompletionBenchmark {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    private static final int TOKENS = 32;
    private static final String PROMPT = "Q: What colour is grass?\\nA:";

    record Mode(String name, int maxBatch, int delayMillis) {}

    @Test
    void completionsBatchedAcrossRequests() throws Exception {
        Platform platform = Platform.get();
        List<String> report = new ArrayList<>();
        report.add("load average before: " + loadAverage());
        report.add("");
        report.add("| mode | clients | completions/s | p50 latency | p99 latency | mean batch | failed |");
        report.add("|---|---|---|---|---|---|---|");
        double batched16 = 0;
        double unbatched16 = 0;
        for (Mode mode : List.of(new Mode("batched (max batch 16, delay 50 ms)", 16, 50),
                new Mode("unbatched (max batch 1)", 1, 0))) {
            try (ConfigurableApplicationContext context = start(platform, mode)) {
                ApiClient api = new ApiClient("http://localhost:"
                        + ((WebServerApplicationContext) context).getWebServer().getPort());
                awaitServed(api);
                var batcher = context.getBean(TextCompletions.class).batcher();
                run(api, 4, 3, new int[1]);
                for (int clients : new int[] {1, 4, 16}) {
                    long batches = batcher.batches();
                    long rows = batcher.rows();
                    int[] failed = new int[1];
                    double[] m = run(api, clients, SECONDS, failed);
                    double meanBatch = (batcher.rows() - rows) / (double) Math.max(1, batcher.batches() - batches);
                    report.add(String.format(Locale.ROOT, "| %s | %d | %.2f | %.0f ms | %.0f ms | %.1f | %d |", mode.name(),
                            clients, m[0], m[1], m[2], meanBatch, failed[0]));
                    System.out.println(report.get(report.size() - 1));
                    assertThat(failed[0]).isZero();
                    if (clients == 16) {
                        if (mode.maxBatch() > 1) {
                            batched16 = m[0];
                        } else {
                            unbatched16 = m[0];
                        }
                    }
                }
            }
        }
        double bare16 = bareGenerator(platform, 16);
        double bare1 = bareGenerator(platform, 1);
        report.add("");
        report.add(String.format(Locale.ROOT, "bare TextGenerator: batch 16 %.2f completions/s, batch 1 %.2f", bare16, bare1));
        report.add(String.format(Locale.ROOT, "at 16 clients: batched %.2f× unbatched, %.2f× the bare generator at batch 16",
                batched16 / unbatched16, batched16 / bare16));
        report.add("load average after: " + loadAverage());
        Path out = Path.of("target", "benchmarks", "completions.md");
        Files.createDirectories(out.getParent());
        Files.write(out, report);
        report.forEach(System.out::println);
    }

    private static ConfigurableApplicationContext start(Platform platform, Mode mode) {
        return new SpringApplicationBuilder(InferenceApplication.class).run(
                "--server.port=0",
                "--prefloop.auth.service-key=" + Platform.SERVICE,
                "--prefloop.auth.admin-key=" + Platform.ADMIN,
                "--prefloop.checkpoints.root=" + platform.store.root(),
                "--prefloop.inference.trainer-url=" + platform.trainerUrl(),
                "--prefloop.inference.feedback-url=" + platform.feedbackUrl(),
                "--prefloop.inference.models=replies-base",
                "--prefloop.inference.poll=1s",
                "--prefloop.inference.batching.max-batch=" + mode.maxBatch(),
                "--prefloop.inference.batching.max-delay=" + mode.delayMillis() + "ms",
                "--prefloop.inference.batching.queue-capacity=256");
    }

    private static void awaitServed(ApiClient api) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (api.get("/v1/models", Platform.ADMIN).body().contains("replies-base")
                    && api.get("/v1/models", Platform.ADMIN).body().contains("\"version\":\"v0001\"")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("replies-base/v0001 not served");
    }

    /** {completions/s, p50 ms, p99 ms}. */
    private static double[] run(ApiClient api, int clients, int seconds, int[] failed) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    long t0 = System.nanoTime();
                    ApiClient.Response r = api.post("/v1/completions", Platform.SERVICE, "{\"model\":\"replies-base\","
                            + "\"prompt\":\"" + PROMPT + "\",\"max_tokens\":" + TOKENS + ",\"seed\":" + (client * 100_000 + i) + "}");
                    if (r.status() == 200) {
                        latencies.add((System.nanoTime() - t0) / 1e6);
                    } else {
                        failures.incrementAndGet();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        failed[0] = failures.get();
        return new double[] {sorted.length / elapsed, percentile(sorted, 0.5), percentile(sorted, 0.99)};
    }

    /** The same work without HTTP, queue or lease: completions/s of TextGenerator at {@code batch} rows. */
    private static double bareGenerator(Platform platform, int batch) {
        try (NDManager m = NDManager.newBaseManager()) {
            TransformerLm lm = LanguageModelCheckpoints.load(platform.store, new CheckpointId("replies-base", "v0001"), m);
            TextGenerator generator = new TextGenerator(lm, new ByteTokenizer());
            List<String> prompts = Collections.nCopies(batch, PROMPT.replace("\\n", "\n"));
            int done = 0;
            long start = System.nanoTime();
            for (long seed = 0; System.nanoTime() - start < SECONDS * 1_000_000_000L; seed++) {
                try (NDManager sub = m.newSubManager()) {
                    generator.generate(sub, prompts, new SamplingParams(TOKENS, 1, 1, seed));
                }
                done += batch;
            }
            return done / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static double percentile(double[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
