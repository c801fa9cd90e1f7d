package io.prefloop.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.image.ImageGenerator;
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
 * Options: {@code -Dbench.seconds=15 -Dbench.steps=10}. Report: target/benchmarks/inference.md.
 */
@Tag("benchmark")
class InferenceBenchmark {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    private static final int STEPS = Integer.getInteger("bench.steps", 10);

    record Mode(String name, int maxBatch, int delayMillis) {}

    /** @param cpuSeconds CPU time of this JVM (service, clients and all) during the measurement */
    record Measure(String mode, int clients, int images, double seconds, double p50, double p99, int failures,
            double meanBatch, double cpuSeconds) {
        double rate() {
            return images / seconds;
        }

        double perCpuSecond() {
            return images / cpuSeconds;
        }
    }

    @Test
    void throughputAndLatencyWithAndWithoutBatching() throws Exception {
        Platform platform = Platform.get();
        List<String> report = new ArrayList<>();
        report.add("load average before: " + loadAverage());
        List<Measure> measures = new ArrayList<>();
        List<Mode> modes = List.of(new Mode("batched (max batch 16, delay 10 ms)", 16, 10),
                new Mode("batched (max batch 16, delay 50 ms)", 16, 50), new Mode("unbatched (max batch 1)", 1, 0));
        for (Mode mode : modes) {
            try (ConfigurableApplicationContext context = start(platform, mode)) {
                int port = ((WebServerApplicationContext) context).getWebServer().getPort();
                ApiClient api = new ApiClient("http://localhost:" + port);
                awaitServed(api);
                var batcher = context.getBean(ImageGenerator.class).batcher();
                run(api, 4, 3, "warm-up", 0);
                for (int clients : new int[] {1, 4, 16}) {
                    long batches = batcher.batches();
                    long rows = batcher.rows();
                    Measure m = run(api, clients, SECONDS, mode.name(), 0);
                    m = new Measure(m.mode(), m.clients(), m.images(), m.seconds(), m.p50(), m.p99(), m.failures(),
                            (batcher.rows() - rows) / (double) Math.max(1, batcher.batches() - batches), m.cpuSeconds());
                    measures.add(m);
                    System.out.printf(Locale.ROOT, "%s, %d clients: %.2f images/s, %.2f images/CPU-s, p50 %.0f ms, "
                            + "p99 %.0f ms, mean batch %.1f%n", mode.name(), clients, m.rate(), m.perCpuSecond(), m.p50(),
                            m.p99(), m.meanBatch());
                }
            }
        }
        double[] bare = bareSampler(platform, 16);
        double[] bareOne = bareSampler(platform, 1);
        report.add("load average after: " + loadAverage());

        report.add("");
        report.add("| mode | clients | images/s | images per CPU-second | p50 latency | p99 latency | mean batch "
                + "| requests failed |");
        report.add("|---|---|---|---|---|---|---|---|");
        for (Measure m : measures) {
            report.add(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.0f ms | %.0f ms | %.1f | %d |", m.mode(),
                    m.clients(), m.rate(), m.perCpuSecond(), m.p50(), m.p99(), m.meanBatch(), m.failures()));
        }
        Measure unbatched16 = measures.get(measures.size() - 1);
        report.add("");
        report.add(String.format(Locale.ROOT, "bare Sampler, batch 16: %.2f images/s, %.2f images/CPU-s; batch 1: "
                + "%.2f images/s, %.2f images/CPU-s", bare[0], bare[1], bareOne[0], bareOne[1]));
        for (int i = 2; i < measures.size() - 1; i += 3) {
            Measure batched16 = measures.get(i);
            report.add(String.format(Locale.ROOT, "%s at 16 clients: %.2f× unbatched (wall), %.2f× (CPU); "
                    + "%.1f%% below the bare sampler at batch 16 (wall), %.1f%% (CPU)", batched16.mode(),
                    batched16.rate() / unbatched16.rate(), batched16.perCpuSecond() / unbatched16.perCpuSecond(),
                    100 * (1 - batched16.rate() / bare[0]), 100 * (1 - batched16.perCpuSecond() / bare[1])));
        }
        Path out = Path.of("target", "benchmarks", "inference.md");
        Files.createDirectories(out.getParent());
        Files.write(out, report);
        report.forEach(System.out::println);
        assertThat(measures).allMatch(m -> m.failures() == 0 && m.images() > 0);
    }

    private static ConfigurableApplicationContext start(Platform platform, Mode mode) {
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
                "--prefloop.inference.batching.max-batch=" + mode.maxBatch(),
                "--prefloop.inference.batching.max-delay=" + mode.delayMillis() + "ms",
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

    private static Measure run(ApiClient api, int clients, int seconds, String mode, double meanBatch)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        long cpu0 = processCpuNanos();
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
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Measure(mode, clients, sorted.length, elapsed, percentile(sorted, 0.5), percentile(sorted, 0.99),
                failures.get(), meanBatch, cpu);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The same work without HTTP, queue or lease: Sampler.sample on batches of {@code batch}; {images/s, images/CPU-s}. */
    private static double[] bareSampler(Platform platform, int batch) {
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
            long cpu0 = processCpuNanos();
            while (System.nanoTime() - start < SECONDS * 1_000_000_000L) {
                try (NDManager sub = m.newSubManager()) {
                    sampler.sample(sub, prompts, seeds, s).toFloatArray();
                }
                images += batch;
            }
            double rate = images / ((System.nanoTime() - start) / 1e9);
            double perCpu = images / ((processCpuNanos() - cpu0) / 1e9);
            System.out.printf(Locale.ROOT, "bare sampler, batch %d: %.2f images/s, %.2f images/CPU-s%n", batch, rate, perCpu);
            return new double[] {rate, perCpu};
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
