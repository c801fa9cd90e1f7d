package io.prefloop.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.support.Platform;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.shapes.ShapesModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Images/s and latency of {@code POST /v1/images/generations} at 1, 4 and 16 concurrent clients,
 * with dynamic batching (max batch 16) and without (max batch 1), against the bare sampler at
 * batch 16. Each mode is the real service (in this JVM, on a port, over HTTP) following the real
 * trainer. Run: {@code mvn -B verify -pl inference-service -am -Dgroups=benchmark
 * -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false -Dtest=InferenceBenchmark}.
 * Options: {@code -Dbench.seconds=20 -Dbench.steps=10}. Report: target/benchmarks/inference.md.
 */
@Tag("benchmark")
class InferenceBenchmark {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 20);
    private static final int STEPS = Integer.getInteger("bench.steps", 10);

    record Measure(String mode, int clients, int images, double seconds, double p50, double p99, int failures) {
        double rate() {
            return images / seconds;
        }
    }

    @Test
    void throughputAndLatencyWithAndWithoutBatching() throws Exception {
        Platform platform = Platform.get();
        List<String> report = new ArrayList<>();
        report.add("load average before: " + loadAverage());
        List<Measure> measures = new ArrayList<>();
        for (int maxBatch : new int[] {16, 1}) {
            try (ConfigurableApplicationContext context = start(platform, maxBatch)) {
                int port = ((WebServerApplicationContext) context).getWebServer().getPort();
                ApiClient api = new ApiClient("http://localhost:" + port);
                awaitServed(api);
                String mode = maxBatch == 1 ? "unbatched (max batch 1)" : "batched (max batch 16, delay 10 ms)";
                run(api, 4, 3, "warm-up");
                for (int clients : new int[] {1, 4, 16}) {
                    Measure m = run(api, clients, SECONDS, mode);
                    measures.add(m);
                    System.out.printf(Locale.ROOT, "%s, %d clients: %.2f images/s, p50 %.0f ms, p99 %.0f ms%n", mode,
                            clients, m.rate(), m.p50(), m.p99());
                }
            }
        }
        double bare = bareSampler(platform, 16);
        report.add("load average after: " + loadAverage());

        report.add("");
        report.add("| mode | clients | images/s | p50 latency | p99 latency | requests failed |");
        report.add("|---|---|---|---|---|---|");
        for (Measure m : measures) {
            report.add(String.format(Locale.ROOT, "| %s | %d | %.2f | %.0f ms | %.0f ms | %d |", m.mode(), m.clients(),
                    m.rate(), m.p50(), m.p99(), m.failures()));
        }
        Measure batched16 = measures.get(2);
        Measure unbatched16 = measures.get(5);
        report.add("");
        report.add(String.format(Locale.ROOT, "bare Sampler, batch 16: %.2f images/s", bare));
        report.add(String.format(Locale.ROOT, "batched ÷ unbatched at 16 clients: %.2f×", batched16.rate() / unbatched16.rate()));
        report.add(String.format(Locale.ROOT, "service overhead at 16 clients vs the bare sampler at batch 16: %.1f%%",
                100 * (1 - batched16.rate() / bare)));
        Path out = Path.of("target", "benchmarks", "inference.md");
        Files.createDirectories(out.getParent());
        Files.write(out, report);
        report.forEach(System.out::println);
        assertThat(measures).allMatch(m -> m.failures() == 0 && m.images() > 0);
    }

    private static ConfigurableApplicationContext start(Platform platform, int maxBatch) {
        // as command-line arguments: they must win over application.yml's ${PORT:8083} and friends
        return new SpringApplicationBuilder(InferenceApplication.class).run(
                "--server.port=0",
                "--prefloop.auth.service-key=" + Platform.SERVICE,
                "--prefloop.auth.admin-key=" + Platform.ADMIN,
                "--prefloop.checkpoints.root=" + platform.store.root(),
                "--prefloop.inference.trainer-url=" + platform.trainerUrl(),
                "--prefloop.inference.feedback-url=" + platform.feedbackUrl(),
                "--prefloop.inference.models=shapes-unet",
                "--prefloop.inference.poll=1s",
                "--prefloop.inference.batching.max-batch=" + maxBatch,
                "--prefloop.inference.batching.queue-capacity=256");
    }

    private static void awaitServed(ApiClient api) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (api.get("/v1/models", Platform.ADMIN).body().contains("\"version\":\"v0002\"")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("shapes-unet/v0002 not served");
    }

    private static Measure run(ApiClient api, int clients, int seconds, String mode) throws InterruptedException {
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
                    ApiClient.Response r = api.post("/v1/images/generations", Platform.SERVICE,
                            "{\"model\":\"shapes-unet\",\"prompt\":\"a red circle\",\"steps\":" + STEPS
                                    + ",\"cfg_scale\":3,\"seed\":" + (client * 100_000 + i) + "}");
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
        return new Measure(mode, clients, sorted.length, elapsed, percentile(sorted, 0.5), percentile(sorted, 0.99),
                failures.get());
    }

    /** The same work without HTTP, queue or lease: Sampler.sample on batches of {@code batch}. */
    private static double bareSampler(Platform platform, int batch) {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet net = ShapesModel.load(platform.store, new CheckpointId("shapes-unet", "v0002"), m);
            Sampler sampler = new Sampler(net, null, net.spec());
            SamplerSettings s = SamplerSettings.ddim(STEPS, 3);
            List<String> prompts = Collections.nCopies(batch, "a red circle");
            long[] seeds = new long[batch];
            Arrays.setAll(seeds, i -> i);
            for (int i = 0; i < 2; i++) {
                try (NDManager sub = m.newSubManager()) {
                    sampler.sample(sub, prompts, seeds, s).toFloatArray();
                }
            }
            int images = 0;
            long start = System.nanoTime();
            while (System.nanoTime() - start < SECONDS * 1_000_000_000L) {
                try (NDManager sub = m.newSubManager()) {
                    sampler.sample(sub, prompts, seeds, s).toFloatArray();
                }
                images += batch;
            }
            double rate = images / ((System.nanoTime() - start) / 1e9);
            System.out.printf(Locale.ROOT, "bare sampler, batch %d: %.2f images/s%n", batch, rate);
            return rate;
        }
    }

    private static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
