package io.prefloop.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.ServiceProcess;
import io.prefloop.inference.support.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Resident memory of the inference-service under sustained load: the service runs as its own
 * process (its jar, as users run it) following the real trainer-service, and this test samples its
 * RSS from {@code /proc} every {@value #SAMPLE_EVERY} images. Sequence: 2,500 images through
 * {@code POST /v1/images/generations} of shapes-unet/v0002 (two clients, n = 16, every fourth request
 * with DCO reward guidance, which runs the reference network too), a hot swap to the base, 1,000
 * candidates through proposals, 2,500 images (the base has no reference: no guidance), a swap back
 * to v0002, 1,000 candidates through proposals with trajectories; then the
 * text and reward paths (completions, text proposals, text and image rewards), RSS before and after
 * each. Run: {@code mvn -B verify -pl inference-service -am -Dgroups=benchmark
 * -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false -Dtest=SoakBenchmark}.
 * Options: {@code -Dbench.images=5000 -Dbench.candidates=2000 -Dbench.steps=10
 * -Dbench.mallocArenaMax=} (empty: glibc's default). Report: target/benchmarks/soak.md and soak-rss.svg.
 */
@Tag("benchmark")
class SoakBenchmark {

    private static final int IMAGES = Integer.getInteger("bench.images", 5000);
    private static final int CANDIDATES = Integer.getInteger("bench.candidates", 2000);
    private static final int STEPS = Integer.getInteger("bench.steps", 10);
    private static final String ARENAS = System.getProperty("bench.mallocArenaMax", "");
    private static final int SAMPLE_EVERY = 250;
    private static final String ADMIN = Platform.ADMIN;
    private static final String SERVICE = Platform.SERVICE;

    record Sample(int images, String phase, long rssMb, long heapMb, double seconds) {}

    private final List<Sample> samples = new ArrayList<>();
    private final AtomicInteger images = new AtomicInteger();
    private int nextSample = SAMPLE_EVERY;
    private Instant start;
    private ServiceProcess service;

    @Test
    void residentMemoryStaysFlatUnderSustainedLoad() throws Exception {
        Platform platform = Platform.get();
        Path dir = Files.createTempDirectory("soak");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PREFLOOP_ADMIN_KEY", ADMIN);
        env.put("PREFLOOP_SERVICE_KEY", SERVICE);
        env.put("PREFLOOP_CHECKPOINTS_ROOT", platform.store.root().toString());
        env.put("PREFLOOP_TRAINER_URL", platform.trainerUrl());
        env.put("PREFLOOP_FEEDBACK_URL", platform.feedbackUrl());
        env.put("PREFLOOP_INFERENCE_POLL", "500ms");
        if (!ARENAS.isBlank()) {
            env.put("MALLOC_ARENA_MAX", ARENAS);
        }
        platform.promote("shapes-unet", "v0002");
        service = ServiceProcess.startJar("inference-service", dir, ServiceProcess.freePort(), env);
        try {
            ApiClient api = service.api();
            awaitServed(api, "shapes-unet", "v0002");
            awaitServed(api, "replies-base", "v0001");
            start = Instant.now();
            sample("started");
            String imageProject = project(platform, "image");
            String textProject = project(platform, "text");

            generate(api, IMAGES / 2, "generations", true);
            swap(api, platform, "base");
            propose(api, imageProject, CANDIDATES / 2, false, "proposals");
            generate(api, IMAGES - IMAGES / 2, "generations", false); // base has no reference
            swap(api, platform, "v0002");
            propose(api, imageProject, CANDIDATES - CANDIDATES / 2, true, "proposals with trajectories");
            sample("end of images");

            List<String> otherPaths = new ArrayList<>();
            otherPaths.add(other(api, "200 completions (n = 4, 32 tokens)", () -> completions(api, 200)));
            otherPaths.add(other(api, "20 text proposals (8 prompts × 4)", () -> textProposals(api, textProject, 20)));
            otherPaths.add(other(api, "200 text reward calls (8 candidates)", () -> textRewards(api, 200)));
            otherPaths.add(other(api, "100 image reward calls (16 candidates)", () -> imageRewards(api, 100)));
            otherPaths.add(other(api, "again: 200 completions", () -> completions(api, 200)));
            otherPaths.add(other(api, "again: 100 image reward calls", () -> imageRewards(api, 100)));
            write(otherPaths);
        } finally {
            service.close();
        }
    }

    private void generate(ApiClient api, int count, String phase, boolean guided) throws Exception {
        int requests = (count + 15) / 16;
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            done.add(clients.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < requests) {
                    double guidance = guided && i % 4 == 3 ? 1.0 : 0.0;
                    ApiClient.Response r = api.post("/v1/images/generations", SERVICE, String.format(Locale.ROOT,
                            "{\"model\":\"shapes-unet\",\"prompt\":\"a %s circle\",\"n\":16,\"steps\":%d,"
                                    + "\"seed\":%d,\"reward_guidance_scale\":%s}",
                            i % 2 == 0 ? "red" : "blue", STEPS, 1000L * i, guidance));
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    counted(16, phase);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        clients.shutdown();
    }

    private void propose(ApiClient api, String project, int count, boolean trajectories, String phase)
            throws IOException {
        int calls = (count + 59) / 60;
        for (int i = 0; i < calls; i++) {
            StringBuilder prompts = new StringBuilder();
            for (int p = 0; p < 15; p++) {
                prompts.append(p == 0 ? "" : ",").append("\"a ").append(p % 3 == 0 ? "red" : p % 3 == 1 ? "green" : "blue")
                        .append(p % 2 == 0 ? " square" : " circle").append('"');
            }
            String body = String.format(Locale.ROOT, "{\"model\":\"shapes-unet\",\"prompts\":[%s],"
                    + "\"candidates_per_prompt\":4,\"steps\":%d,\"seed\":%d%s}", prompts, STEPS, 77_000L * (i + 1),
                    trajectories ? ",\"trajectories\":true" : "");
            ApiClient.Response r = api.post("/v1/projects/" + project + "/proposals", SERVICE, body);
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            counted(60, phase);
        }
    }

    private void swap(ApiClient api, Platform platform, String version) throws IOException {
        platform.promote("shapes-unet", version);
        awaitServed(api, "shapes-unet", version);
        sample("hot swap to " + version);
    }

    private void completions(ApiClient api, int count) {
        for (int i = 0; i < count; i++) {
            ApiClient.Response r = api.post("/v1/completions", SERVICE,
                    "{\"model\":\"replies-base\",\"prompt\":\"How do I reset my password?\",\"max_tokens\":32,"
                            + "\"n\":4,\"seed\":" + i + "}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    private void textProposals(ApiClient api, String project, int calls) {
        for (int i = 0; i < calls; i++) {
            ApiClient.Response r = api.post("/v1/projects/" + project + "/proposals", SERVICE,
                    "{\"model\":\"replies-base\",\"prompts\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\"],"
                            + "\"candidates_per_prompt\":4,\"max_tokens\":32,\"seed\":" + i + "}");
            assertThat(r.status()).as(r.body()).isEqualTo(201);
        }
    }

    private void textRewards(ApiClient api, int count) {
        StringBuilder candidates = new StringBuilder();
        for (int c = 0; c < 8; c++) {
            candidates.append(c == 0 ? "" : ",").append("{\"text\":\"Open settings and choose reset, option ")
                    .append(c).append(".\"}");
        }
        for (int i = 0; i < count; i++) {
            ApiClient.Response r = api.post("/v1/rewards", SERVICE, "{\"model\":\"replies-reward\","
                    + "\"prompt\":\"How do I reset my password?\",\"candidates\":[" + candidates + "]}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    private void imageRewards(ApiClient api, int count) {
        ApiClient.Response images = api.post("/v1/images/generations", SERVICE,
                "{\"model\":\"shapes-unet\",\"prompt\":\"a red circle\",\"n\":16,\"steps\":4,\"seed\":9}");
        assertThat(images.status()).as(images.body()).isEqualTo(200);
        StringBuilder candidates = new StringBuilder();
        for (JsonNode image : images.json().get("data")) {
            candidates.append(candidates.isEmpty() ? "" : ",").append("{\"image_base64\":\"")
                    .append(image.get("b64_json").asString()).append("\"}");
        }
        for (int i = 0; i < count; i++) {
            ApiClient.Response r = api.post("/v1/rewards", SERVICE, "{\"model\":\"shapes-reward\","
                    + "\"prompt\":\"a red circle\",\"candidates\":[" + candidates + "]}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
    }

    private String other(ApiClient api, String name, Runnable work) throws IOException {
        long before = service.residentMb();
        long t0 = System.nanoTime();
        work.run();
        long after = service.residentMb();
        String row = String.format(Locale.ROOT, "| %s | %,d | %,d | %+,d | %.0f s |", name, before, after, after - before,
                (System.nanoTime() - t0) / 1e9);
        System.out.println(row);
        return row;
    }

    private synchronized void counted(int n, String phase) throws IOException {
        int total = images.addAndGet(n);
        while (total >= nextSample) {
            sample(phase);
            nextSample += SAMPLE_EVERY;
        }
    }

    private synchronized void sample(String phase) throws IOException {
        Sample s = new Sample(images.get(), phase, service.residentMb(), service.heapCommittedMb(ADMIN),
                Duration.between(start, Instant.now()).toMillis() / 1000.0);
        samples.add(s);
        System.out.printf(Locale.ROOT, "%,6d images  %-28s RSS %,6d MB  heap %,5d MB  %6.0f s%n", s.images(), s.phase(),
                s.rssMb(), s.heapMb(), s.seconds());
    }



    private static String project(Platform platform, String modality) {
        ApiClient.Response r = platform.feedbackApi().post("/v1/projects", ADMIN,
                "{\"name\":\"soak " + modality + "\",\"modality\":\"" + modality + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    private static void awaitServed(ApiClient api, String model, String version) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            for (JsonNode m : api.get("/v1/models", ADMIN).json().get("data")) {
                if (m.get("name").asString().equals(model)
                        && m.path("loaded").path("version").asString("").equals(version)) {
                    return;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError(model + " did not serve " + version);
    }

    private void write(List<String> otherPaths) throws IOException {
        long afterThousand = samples.stream().filter(s -> s.images() >= 1000).findFirst().orElse(samples.get(0)).rssMb();
        long last = samples.get(samples.size() - 1).rssMb();
        long peak = samples.stream().mapToLong(Sample::rssMb).max().orElseThrow();
        List<String> md = new ArrayList<>();
        md.add("MALLOC_ARENA_MAX: " + (ARENAS.isBlank() ? "unset (glibc default)" : ARENAS) + "; steps " + STEPS
                + "; load average at the end: " + Files.readString(Path.of("/proc/loadavg")).trim());
        md.add("");
        md.add(String.format(Locale.ROOT, "RSS after 1,000 images %,d MB, at the end %,d MB (growth %+,d MB), peak %,d MB",
                afterThousand, last, last - afterThousand, peak));
        md.add("");
        md.add("| images | phase | RSS MB | Java heap committed MB | seconds |");
        md.add("|---|---|---|---|---|");
        for (Sample s : samples) {
            md.add(String.format(Locale.ROOT, "| %,d | %s | %,d | %,d | %.0f |", s.images(), s.phase(), s.rssMb(), s.heapMb(),
                    s.seconds()));
        }
        md.add("");
        md.add("| other path | RSS before MB | after MB | change MB | time |");
        md.add("|---|---|---|---|---|");
        md.addAll(otherPaths);
        Path out = Files.createDirectories(Path.of("target", "benchmarks"));
        Files.write(out.resolve("soak.md"), md);
        Files.writeString(out.resolve("soak-rss.svg"), svg());
        md.forEach(System.out::println);
    }

    /** RSS over images, the swaps marked. */
    private String svg() {
        int w = 640, h = 240, left = 56, bottom = 30, top = 12, right = 12;
        double maxX = samples.get(samples.size() - 1).images();
        double maxY = Math.max(1500, samples.stream().mapToLong(Sample::rssMb).max().orElse(1));
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                        + "font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", w, h));
        for (int y = 0; y <= maxY; y += 250) {
            double py = top + (h - top - bottom) * (1 - y / maxY);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d MB</text>%n", left, w - right, py, py, left - 4,
                    py + 4, y));
        }
        StringBuilder line = new StringBuilder();
        for (Sample p : samples) {
            double px = left + (w - left - right) * p.images() / maxX;
            double py = top + (h - top - bottom) * (1 - p.rssMb() / maxY);
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            if (p.phase().startsWith("hot swap")) {
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#c60\" "
                        + "stroke-dasharray=\"3,3\"/><text x=\"%.1f\" y=\"%d\" fill=\"#c60\">swap</text>%n", px, px, top,
                        h - bottom, px + 3, top + 10));
            }
        }
        s.append("<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.5\" points=\"").append(line).append("\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">images (generations, then "
                + "proposal candidates), RSS of the inference-service</text>%n</svg>%n", (w + left) / 2, h - 8));
        return s.toString();
    }
}
