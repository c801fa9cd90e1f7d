package io.prefloop.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.RealPostgres;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.diffusion.DiffusionDpoLoss;
import io.prefloop.model.diffusion.DiffusionDpoTrainer;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.shapes.Colour;
import io.prefloop.model.shapes.PretrainingSet;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.Scene;
import io.prefloop.model.shapes.ShapeRenderer;
import io.prefloop.model.shapes.ShapesModel;
import io.prefloop.trainer.FeedbackForTrainer;
import io.prefloop.trainer.TrainerTestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The trainer-service's two benchmark numbers (docs/benchmarks.md, "trainer-service"). (1) Online
 * latency: a Diffusion-DPO policy on a shapes project with every_n = N; a labeler judges N pairs
 * through the real feedback-service; the clock runs from
 * the N-th judgment's answer to the moment the trainer's registry names the new checkpoint
 * current. (2) Overhead: the job's training steps per second (from its metric events) against
 * the bare shared-model loop ({@link DiffusionDpoTrainer} on the same pairs, same batch, same
 * steps, same thread settings). Results go to target/benchmarks/trainer.md; docs/benchmarks.md
 * keeps them. Run: {@code mvn -B verify -pl trainer-service -am -Dgroups=benchmark
 * -Dsurefire.excludedGroups= -Dtest=TrainerBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "prefloop.auth.admin-key=" + TrainerBenchmark.ADMIN, "prefloop.auth.service-key=" + TrainerBenchmark.SERVICE,
        "prefloop.trainer.workers.count=1", "prefloop.trainer.workers.poll=200ms",
        "prefloop.trainer.policies.poll=1s"})
@ContextConfiguration(initializers = RealPostgres.class)
class TrainerBenchmark {

    static final String ADMIN = "bench-admin";
    static final String SERVICE = "bench-service";
    private static final int N = Integer.getInteger("bench.n", 200);
    private static final int STEPS = Integer.getInteger("bench.steps", 100);
    private static final int BATCH = Integer.getInteger("bench.batch", 16);

    @RegisterExtension
    static final FeedbackForTrainer FEEDBACK = new FeedbackForTrainer("prefloop-trainer-bench-", ADMIN, SERVICE);

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) throws IOException {
        TrainerTestSupport.copyCommitted("shapes-unet", "base", FEEDBACK.store(), "shapes-unet");
        FEEDBACK.wire(registry);
    }

    @LocalServerPort
    int port;

    private record Rendered(String prompt, float[] right, float[] wrong) {}

    @Test
    void nthJudgmentToPromotedCheckpoint_andOverheadAgainstTheBareLoop() throws Exception {
        ApiClient labeling = FEEDBACK.api();
        ApiClient trainer = new ApiClient("http://localhost:" + port);
        String project = labeling.post("/v1/projects", ADMIN, "{\"name\":\"bench\",\"modality\":\"image\"}").json()
                .get("id").asString();
        Random random = new Random(7);
        List<Rendered> pairs = new ArrayList<>();
        Set<String> right = new HashSet<>();
        List<Prompt> prompts = Prompt.pretrained();
        for (int i = 0; i < N; i++) {
            Prompt p = prompts.get(i % prompts.size());
            Colour partner = p.colour().confusedWith();
            float[] good = ShapeRenderer.render(PretrainingSet.randomScene(p.colour(), p.shape(), 16, random), 16);
            float[] bad = ShapeRenderer.render(PretrainingSet.randomScene(partner, p.shape(), 16, random), 16);
            pairs.add(new Rendered(p.text(), good, bad));
            String a = candidate(labeling, project, p.text(), good, i * 2L);
            String b = candidate(labeling, project, p.text(), bad, i * 2L + 1);
            right.add(a);
            labeling.post("/v1/projects/" + project + "/pairs", SERVICE,
                    ApiClient.json(Map.of("candidate_a", a, "candidate_b", b)));
        }
        // the bare loop first, on a quiet machine (the labeler is not yet judging), and again at the end
        double bareBefore = bareStepsPerSecond(pairs);
        assertThat(trainer.post("/v1/models/shapes-unet/promote", ADMIN, "{\"version\":\"base\"}").status()).isEqualTo(200);
        ApiClient.Response policy = trainer.post("/v1/policies", ADMIN, """
                {"project":"%s","model":"shapes-unet","method":"diffusion_dpo","every_n":%d,
                 "hyperparameters":{"steps":%d,"batch_size":%d,"beta":500,"learning_rate":0.00005,"checkpoint_every":50},
                 "gate":{"metric":"implicit_acc","min":0.0,"max_regression":1000}}""".formatted(project, N, STEPS, BATCH));
        assertThat(policy.status()).as(policy.body()).isEqualTo(201);

        String labeler = labeling.post("/v1/labelers", ADMIN, "{\"name\":\"bench\"}").json().get("key").asString();
        Instant lastJudgment = null;
        for (int i = 0; i < N; i++) {
            JsonNode task = labeling.get("/v1/projects/" + project + "/tasks/next", labeler).json();
            JsonNode side = right.contains(task.get("left").get("candidate_id").asString()) ? task.get("left")
                    : task.get("right");
            assertThat(labeling.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", labeler,
                    "{\"choice\":\"" + side.get("choice").asString() + "\"}").status()).isEqualTo(201);
            lastJudgment = Instant.now();
        }
        String promoted = null;
        while (promoted == null) {
            JsonNode current = trainer.get("/v1/models/shapes-unet/current", ADMIN).json();
            if (!current.get("version").asString().equals("base")) {
                promoted = current.get("version").asString();
            } else {
                Thread.sleep(250);
            }
        }
        double latency = (Instant.now().toEpochMilli() - lastJudgment.toEpochMilli()) / 1000.0;
        JsonNode job = trainer.get("/v1/jobs?model=shapes-unet", ADMIN).json().get("data").get(0);
        JsonNode events = trainer.get("/v1/jobs/" + job.get("id").asString() + "/events?limit=1000", ADMIN).json()
                .get("data");
        List<Instant> stepTimes = new ArrayList<>();
        Instant queued = null;
        Instant claimed = null;
        for (JsonNode e : events) {
            Instant at = Instant.parse(e.get("created_at").asString());
            if (queued == null) {
                queued = at;
            }
            if (claimed == null && e.get("message").asString().contains("started the job")) {
                claimed = at;
            }
            if (e.get("type").asString().equals("metrics")) {
                stepTimes.add(at);
            }
        }
        double serviceStepsPerSecond = (stepTimes.size() - 1)
                / ((stepTimes.get(stepTimes.size() - 1).toEpochMilli() - stepTimes.get(0).toEpochMilli()) / 1000.0);
        double bare = Math.max(bareBefore, bareStepsPerSecond(pairs));
        JsonNode metrics = trainer.get("/v1/models/shapes-unet/current", ADMIN).json().get("metrics");

        String report = """
                ## trainer-service (TrainerBenchmark, %s)

                Diffusion-DPO policy on the shapes base, every_n = %d, %d steps × %d pairs, β 500, Adam 5e-5; %d
                decisive judgments through the real feedback-service by one labeler; load average at the end %.1f.

                | measure | value |
                |---|---|
                | N-th judgment → promoted checkpoint (%s) | %.1f s |
                | of which: judgment → job queued (policy poll 1 s) | %.1f s |
                | training steps in the service | %.2f steps/s (%.1f pairs/s) |
                | bare shared-model loop, same pairs and settings (faster of a run before and after) | %.2f steps/s (%.1f pairs/s) |
                | overhead of the service | %.1f %% |
                | held-out implicit accuracy / quality_regression | %s / %s |
                """.formatted(Instant.now(), N, STEPS, BATCH, N, load(), promoted, latency,
                (queued.toEpochMilli() - lastJudgment.toEpochMilli()) / 1000.0, serviceStepsPerSecond,
                serviceStepsPerSecond * BATCH, bare, bare * BATCH, 100 * (1 - serviceStepsPerSecond / bare),
                metrics.path("heldout_implicit_acc").asString("–"), metrics.path("quality_regression").asString("–"));
        Files.createDirectories(Path.of("target/benchmarks"));
        Files.writeString(Path.of("target/benchmarks/trainer.md"), report);
        System.out.println(report);
    }

    /** The same training without the service: DiffusionDpoTrainer on the rendered pairs, on this thread. */
    private static double bareStepsPerSecond(List<Rendered> pairs) {
        Thread[] result = new Thread[1];
        double[] rate = new double[1];
        // on a fresh thread like a worker's (autograd recording off, as the worker sets it)
        result[0] = new Thread(() -> {
            io.prefloop.model.nn.GradientRecording.offForThisThread();
            try (NDManager m = NDManager.newBaseManager()) {
                UNet policy = ShapesModel.load(new DirectoryCheckpointStore(FEEDBACK.store()), ShapesModel.BASE, m);
                UNet reference = ShapesModel.frozenCopy(policy, m);
                DiffusionDpoTrainer trainer = new DiffusionDpoTrainer(policy, reference,
                        new DiffusionDpoLoss(500, DiffusionDpoLoss.Type.SIGMOID), OptimizerStep.adam(policy, 5e-5f), m);
                Random random = new Random(3);
                long start = 0;
                for (int step = 0; step <= STEPS; step++) {
                    if (step == 1) {
                        start = System.nanoTime(); // as in the service, from the first step's end
                    }
                    float[] w = new float[BATCH * 768];
                    float[] l = new float[BATCH * 768];
                    List<String> prompts = new ArrayList<>();
                    for (int i = 0; i < BATCH; i++) {
                        Rendered r = pairs.get(random.nextInt(pairs.size()));
                        System.arraycopy(r.right(), 0, w, i * 768, 768);
                        System.arraycopy(r.wrong(), 0, l, i * 768, 768);
                        prompts.add(r.prompt());
                    }
                    try (NDManager s = m.newSubManager()) {
                        NDArray tokens = policy.spec().tokenizer().encode(s, prompts);
                        trainer.step(s.create(w, new Shape(BATCH, 3, 16, 16)), s.create(l, new Shape(BATCH, 3, 16, 16)),
                                tokens, random);
                    }
                }
                rate[0] = STEPS / ((System.nanoTime() - start) / 1e9);
            }
        });
        result[0].start();
        try {
            result[0].join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return rate[0];
    }

    private static String candidate(ApiClient labeling, String project, String prompt, float[] pixels, long seed) {
        try (NDManager m = NDManager.newBaseManager()) {
            String png = Base64.getEncoder().encodeToString(ImagePng.encode(m.create(pixels, new Shape(3, 16, 16))));
            return labeling.post("/v1/projects/" + project + "/candidates", SERVICE, ApiClient.json(Map.of("prompt", prompt,
                    "image_base64", png, "model", "shapes-unet", "seed", seed))).json().get("id").asString();
        }
    }

    private static double load() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }
}
