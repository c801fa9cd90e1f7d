package io.prefloop.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.ServiceProcess;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.shapes.Colour;
import io.prefloop.model.shapes.PretrainingSet;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.ShapeRenderer;
import io.prefloop.trainer.TrainerTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Resident memory of a trainer worker across jobs: the trainer-service runs as its own process (its
 * jar, one worker) with the real feedback-service; {@value #PAIRS} judged shapes pairs; then
 * {@code bench.jobs} Diffusion-DPO jobs one after another, each from the base, and the worker's RSS
 * (from {@code /proc}) after each. Run: {@code mvn -B verify -pl trainer-service -am
 * -Dgroups=benchmark -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=TrainerSoakBenchmark}. Options: {@code -Dbench.jobs=10 -Dbench.steps=40
 * -Dbench.mallocArenaMax=}. Report: target/benchmarks/trainer-soak.md.
 */
@Tag("benchmark")
class TrainerSoakBenchmark {

    private static final String ADMIN = "soak-admin";
    private static final String SERVICE = "soak-service";
    private static final int PAIRS = 200;
    private static final int JOBS = Integer.getInteger("bench.jobs", 10);
    private static final int STEPS = Integer.getInteger("bench.steps", 40);
    private static final String ARENAS = System.getProperty("bench.mallocArenaMax", "");

    @Test
    void workerMemoryStaysFlatAcrossJobs() throws Exception {
        Path dir = TrainerTestSupport.tempDir("prefloop-trainer-soak-");
        TrainerTestSupport.copyCommitted("shapes-unet", "base", dir.resolve("store"), "shapes-unet");
        Map<String, String> keys = Map.of("PREFLOOP_ADMIN_KEY", ADMIN, "PREFLOOP_SERVICE_KEY", SERVICE);
        int feedbackPort = ServiceProcess.freePort();
        try (ServiceProcess feedback = ServiceProcess.startJar("feedback-service",
                Files.createDirectories(dir.resolve("feedback")), feedbackPort, keys)) {
            Map<String, String> env = new LinkedHashMap<>(keys);
            env.put("PREFLOOP_CHECKPOINTS_ROOT", dir.resolve("store").toString());
            env.put("PREFLOOP_FEEDBACK_URL", "http://localhost:" + feedbackPort);
            env.put("PREFLOOP_TRAINER_WORKERS_COUNT", "1");
            env.put("OMP_NUM_THREADS", "1");
            if (!ARENAS.isBlank()) {
                env.put("MALLOC_ARENA_MAX", ARENAS);
            }
            try (ServiceProcess trainer = ServiceProcess.startJar("trainer-service",
                    Files.createDirectories(dir.resolve("trainer")), ServiceProcess.freePort(), env)) {
                String project = judgedProject(feedback.api());
                ApiClient api = trainer.api();
                assertThat(api.post("/v1/models/shapes-unet/promote", ADMIN, "{\"version\":\"base\"}").status())
                        .isEqualTo(200);
                List<String> rows = new ArrayList<>();
                long idle = trainer.residentMb();
                rows.add(String.format(Locale.ROOT, "| before the first job | %,d | %,d |  | |", idle, trainer.heapCommittedMb(ADMIN)));
                long first = 0;
                long last = 0;
                for (int j = 1; j <= JOBS; j++) {
                    ApiClient.Response r = api.post("/v1/jobs", ADMIN, """
                            {"method":"diffusion_dpo","model":"shapes-unet","project":"%s","seed":%d,
                             "hyperparameters":{"steps":%d,"batch_size":16,"checkpoint_every":20}}"""
                            .formatted(project, j, STEPS));
                    assertThat(r.status()).as(r.body()).isEqualTo(201);
                    JsonNode job = TrainerTestSupport.awaitJob(api, ADMIN, r.json().get("id").asString());
                    assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
                    last = trainer.residentMb();
                    if (j == 1) {
                        first = last;
                    }
                    rows.add(String.format(Locale.ROOT, "| after job %d (%s) | %,d | %,d | %+,d | %s |", j,
                            job.path("result").path("version").asString(), last, trainer.heapCommittedMb(ADMIN), last - first,
                            liveArrays(trainer.log())));
                    System.out.println(rows.get(rows.size() - 1));
                }
                List<String> md = new ArrayList<>();
                md.add("MALLOC_ARENA_MAX: " + (ARENAS.isBlank() ? "unset (glibc default)" : ARENAS) + "; " + JOBS
                        + " Diffusion-DPO jobs × " + STEPS + " steps × 16 pairs; load average at the end: "
                        + Files.readString(Path.of("/proc/loadavg")).trim());
                md.add("");
                md.add(String.format(Locale.ROOT, "RSS after the first job %,d MB, after the last %,d MB (%+,d MB)", first,
                        last, last - first));
                md.add("");
                md.add("| when | RSS MB | Java heap committed MB | RSS change since job 1 | the worker's count after the job |");
                md.add("|---|---|---|---|---|");
                md.addAll(rows);
                Path out = Files.createDirectories(Path.of("target", "benchmarks"));
                Files.write(out.resolve("trainer-soak.md"), md);
                md.forEach(System.out::println);
            }
        }
    }

    /** The worker's own count of the engine's open arrays, from its last "ended job" log line. */
    private static String liveArrays(String log) {
        int at = log.lastIndexOf("live arrays ");
        return at < 0 ? "?" : log.substring(at, log.indexOf('\n', at)).strip();
    }

    /** {@value #PAIRS} pairs: the prompt's colour against its confused partner, judged for the prompt. */
    private static String judgedProject(ApiClient labeling) {
        String project = labeling.post("/v1/projects", ADMIN, "{\"name\":\"soak\",\"modality\":\"image\"}").json()
                .get("id").asString();
        Random random = new Random(7);
        List<Prompt> prompts = Prompt.pretrained();
        java.util.Set<String> right = new java.util.HashSet<>();
        for (int i = 0; i < PAIRS; i++) {
            Prompt p = prompts.get(i % prompts.size());
            Colour partner = p.colour().confusedWith();
            String a = candidate(labeling, project, p.text(),
                    ShapeRenderer.render(PretrainingSet.randomScene(p.colour(), p.shape(), 16, random), 16));
            String b = candidate(labeling, project, p.text(),
                    ShapeRenderer.render(PretrainingSet.randomScene(partner, p.shape(), 16, random), 16));
            right.add(a);
            labeling.post("/v1/projects/" + project + "/pairs", SERVICE,
                    ApiClient.json(Map.of("candidate_a", a, "candidate_b", b)));
        }
        String labeler = labeling.post("/v1/labelers", ADMIN, "{\"name\":\"soak\"}").json().get("key").asString();
        for (int i = 0; i < PAIRS; i++) {
            JsonNode task = labeling.get("/v1/projects/" + project + "/tasks/next", labeler).json();
            JsonNode side = right.contains(task.get("left").get("candidate_id").asString()) ? task.get("left")
                    : task.get("right");
            assertThat(labeling.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", labeler,
                    "{\"choice\":\"" + side.get("choice").asString() + "\"}").status()).isEqualTo(201);
        }
        return project;
    }

    private static String candidate(ApiClient labeling, String project, String prompt, float[] pixels) {
        try (NDManager m = NDManager.newBaseManager()) {
            String png = Base64.getEncoder().encodeToString(ImagePng.encode(m.create(pixels, new Shape(3, 16, 16))));
            return labeling.post("/v1/projects/" + project + "/candidates", SERVICE,
                    ApiClient.json(Map.of("prompt", prompt, "image_base64", png, "model", "shapes-unet")))
                    .json().get("id").asString();
        }
    }


}
