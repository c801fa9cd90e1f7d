package io.prefloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.common.io.Sha256;
import io.prefloop.common.test.ApiClient;
import ai.djl.ndarray.NDArray;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.TrajectoryFile;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.shapes.ShapesModel;
import io.prefloop.model.shapes.Colour;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.Scene;
import io.prefloop.model.shapes.ShapeKind;
import io.prefloop.model.shapes.ShapeRenderer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Diffusion jobs end to end over real HTTP: shapes images as PNG candidates in the real
 * feedback-service, judged by a labeler; Diffusion-DPO from the committed shapes base on those
 * comparisons (held out by prompt), and DCO on reference images given as a candidate id and as an
 * upload. Both publish checkpoints with their lineage and metrics.
 */
@TestPropertySource(properties = {
        "prefloop.auth.admin-key=" + DiffusionJobsTest.ADMIN, "prefloop.auth.service-key=" + DiffusionJobsTest.SERVICE,
        "prefloop.trainer.workers.count=1", "prefloop.trainer.workers.poll=200ms"})
class DiffusionJobsTest extends TrainerIntegrationTest {

    static final String ADMIN = "diffusion-admin";
    static final String SERVICE = "diffusion-service";
    private static String project;
    private static final Set<String> correct = new HashSet<>();
    private static String aCorrectCandidate;

    @RegisterExtension
    static final FeedbackForTrainer FEEDBACK = new FeedbackForTrainer("prefloop-diffusion-jobs-", ADMIN, SERVICE);

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) throws IOException {
        TrainerTestSupport.copyCommitted("shapes-unet", "base", FEEDBACK.store(), "shapes-unet");
        FEEDBACK.wire(registry);
    }

    /** Ten prompts; per prompt an image in the right colour and one in the colour the base confuses it with. */
    /** (after the context: the feedback-service starts with it) */
    private static synchronized void judgedImages() {
        if (project != null) {
            return;
        }
        ApiClient labeling = FEEDBACK.api();
        project = labeling.post("/v1/projects", ADMIN, "{\"name\":\"colours\",\"modality\":\"image\"}").json()
                .get("id").asString();
        try (NDManager m = NDManager.newBaseManager()) {
            for (Colour colour : Colour.values()) {
                for (ShapeKind shape : List.of(ShapeKind.CIRCLE, ShapeKind.SQUARE)) {
                    String prompt = new Prompt(colour, shape).text();
                    for (Colour drawn : List.of(colour, colour.confusedWith())) {
                        String id = labeling.post("/v1/projects/" + project + "/candidates", SERVICE, ApiClient.json(Map.of(
                                "prompt", prompt, "image_base64", png(m, new Scene(drawn, shape, 8, 8, 10)),
                                "model", "shapes-unet"))).json().get("id").asString();
                        if (drawn == colour) {
                            correct.add(id);
                            aCorrectCandidate = id;
                        }
                    }
                }
            }
        }
        labeling.post("/v1/projects/" + project + "/pairs/bulk", SERVICE, "{}");
        String labeler = labeling.post("/v1/labelers", ADMIN, "{\"name\":\"iris\"}").json().get("key").asString();
        for (int i = 0; i < 10; i++) {
            JsonNode task = labeling.get("/v1/projects/" + project + "/tasks/next", labeler).json();
            JsonNode side = correct.contains(task.get("left").get("candidate_id").asString()) ? task.get("left")
                    : task.get("right");
            labeling.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", labeler,
                    "{\"choice\":\"" + side.get("choice").asString() + "\"}");
        }
    }

    @Test
    void diffusionDpoTrainsOnJudgedImagesWithHeldOutPromptsAndPublishes() {
        ApiClient trainer = trainer();
        String job = trainer.post("/v1/jobs", SERVICE, """
                {"method":"diffusion_dpo","model":"shapes-unet","project":"%s","seed":5,
                 "hyperparameters":{"steps":3,"batch_size":4,"beta":500,"learning_rate":0.00005,"heldout_fraction":0.3,
                 "sft_weight":100}}"""
                .formatted(project)).json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");

        JsonNode checkpoint = publishedBy(trainer, job);
        assertThat(checkpoint.get("method").asString()).isEqualTo("diffusion_dpo");
        assertThat(checkpoint.get("parent").asString()).isEqualTo("shapes-unet/base");
        assertThat(checkpoint.get("reference").asString()).isEqualTo("shapes-unet/base");
        JsonNode dataset = checkpoint.get("dataset");
        int training = dataset.get("pairs").asInt();
        int heldOut = dataset.get("heldout_pairs").asInt();
        assertThat(training + heldOut).isEqualTo(10);
        assertThat(heldOut).as("0.3 of ten prompts, by hash").isBetween(1, 6);
        JsonNode metrics = checkpoint.get("metrics");
        assertThat(metrics.has("implicit_acc")).isTrue();
        assertThat(metrics.get("heldout_implicit_acc").asDouble()).isBetween(0.0, 1.0);
        assertThat(metrics.get("heldout_ref_mse").asDouble()).isPositive();
        assertThat(metrics.get("quality_regression").asDouble()).isGreaterThanOrEqualTo(0.0);
        assertThat(metrics.get("quality_regression_on").asString()).isEqualTo("heldout");
        assertThat(checkpoint.get("architecture").get("family").asString()).isEqualTo("unet-eps");
        assertThat(checkpoint.get("hyperparameters").get("sft_weight").asDouble()).isEqualTo(100.0);

        JsonNode convolutions = null;
        for (JsonNode event : trainer.get("/v1/jobs/" + job + "/events", ADMIN).json().get("data")) {
            if (event.has("data") && event.get("data").has("training_allowed")) {
                convolutions = event.get("data");
            }
        }
        assertThat(convolutions).as("the job's convolution check event").isNotNull();
        assertThat(convolutions.get("training_allowed").asBoolean()).isTrue();
        assertThat(convolutions.get("shapes_checked").asInt()).isGreaterThan(10);
    }

    @Test
    void dcoPersonalisesOnACandidateAndAnUploadedImage() {
        ApiClient trainer = trainer();
        String upload;
        try (NDManager m = NDManager.newBaseManager()) {
            upload = png(m, new Scene(Colour.GREEN, ShapeKind.RING, 8, 8, 11));
        }
        ApiClient.Response created = trainer.post("/v1/jobs", SERVICE, ApiClient.json(Map.of("method", "dco",
                "model", "shapes-unet", "seed", 2, "hyperparameters", Map.of("steps", 3, "batch_size", 2),
                "references", List.of(Map.of("candidate", aCorrectCandidate),
                        Map.of("prompt", "a green ring", "image_base64", upload)))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String job = created.json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");

        JsonNode checkpoint = publishedBy(trainer, job);
        assertThat(checkpoint.get("method").asString()).isEqualTo("dco");
        assertThat(checkpoint.get("reference").asString()).isEqualTo("shapes-unet/base");
        assertThat(checkpoint.get("dataset").get("reference_images").asInt()).isEqualTo(2);
        assertThat(checkpoint.get("dataset").get("prompts").toString()).contains("a green ring");
        assertThat(checkpoint.get("metrics").get("references_ref_mse").asDouble()).isPositive();
    }

    @Test
    void aDcoJobAtAFarTooHighLearningRateIsStoppedByTheDivergenceGuardAndPublishesNothing() {
        ApiClient trainer = trainer();
        String upload;
        try (NDManager m = NDManager.newBaseManager()) {
            upload = png(m, new Scene(Colour.RED, ShapeKind.SQUARE, 8, 8, 10));
        }
        int before = trainer.get("/v1/models/shapes-unet/checkpoints", ADMIN).json().size();
        String job = trainer.post("/v1/jobs", SERVICE, ApiClient.json(Map.of("method", "dco", "model", "shapes-unet",
                "seed", 9, "hyperparameters", Map.of("steps", 200, "batch_size", 2, "learning_rate", 1,
                        "max_grad_norm", 0, "warmup_steps", 0),
                "references", List.of(Map.of("prompt", "a red square", "image_base64", upload))))).json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("failed");
        assertThat(finished.get("error").asString()).contains("Training diverged").contains("at learning rate 1")
                .contains("at learning rate 0.1").contains("at learning rate 0.01").contains("nothing is published");
        assertThat(finished.get("result").isNull()).isTrue();

        JsonNode events = trainer.get("/v1/jobs/" + job + "/events?limit=1000", ADMIN).json().get("data");
        int trips = 0;
        int stepsRun = 0;
        for (JsonNode event : events) {
            if (event.get("message").asString().startsWith("Divergence guard tripped")) {
                trips++;
                assertThat(event.get("level").asString()).isEqualTo("warn");
                assertThat(event.get("data").get("divergence").asString()).isEqualTo("tripped");
            }
            if (event.has("data") && event.get("data").has("grad_norm")) {
                stepsRun++;
                assertThat(event.get("data").has("learning_rate")).isTrue();
            }
        }
        assertThat(trips).as("two retries at lower learning rates").isEqualTo(2);
        assertThat(stepsRun).as("stopped well before its 200 steps, retries included").isBetween(3, 60);
        assertThat(trainer.get("/v1/models/shapes-unet/checkpoints", ADMIN).json().size()).isEqualTo(before);
    }

    @Test
    void aDcoJobWhoseCandidateIsUnknownFailsAndSaysWhy() {
        ApiClient trainer = trainer();
        String job = trainer.post("/v1/jobs", SERVICE, """
                {"method":"dco","model":"shapes-unet","hyperparameters":{"steps":2},
                 "references":[{"candidate":"00000000-0000-0000-0000-0000000000aa"}]}""").json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(finished.get("status").asString()).isEqualTo("failed");
        assertThat(finished.get("error").asString()).contains("404").contains("00000000-0000-0000-0000-0000000000aa");
    }

    @Test
    void anImageRewardModelLearnsFromTheComparisonsFromScratch() {
        ApiClient trainer = trainer();
        String job = trainer.post("/v1/jobs", SERVICE, """
                {"method":"reward_model","model":"shapes-reward","project":"%s","seed":3,
                 "hyperparameters":{"steps":40,"batch_size":4,"learning_rate":0.003,"heldout_fraction":0.3}}"""
                .formatted(project)).json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
        JsonNode checkpoint = trainer.get("/v1/models/shapes-reward/checkpoints", ADMIN).json().get(0);
        assertThat(checkpoint.get("job_id").asString()).isEqualTo(job);
        assertThat(checkpoint.get("method").asString()).isEqualTo("reward_model");
        assertThat(checkpoint.get("parent").isNull()).as("from scratch").isTrue();
        assertThat(checkpoint.get("architecture").get("type").asString()).isEqualTo("image_reward_convnet");
        JsonNode metrics = checkpoint.get("metrics");
        assertThat(metrics.get("reward_std").asDouble()).isPositive();
        // It learned the comparisons it trained on: all 6 ranked right (chance: 1 in 64). Measured over seeds 1-4:
        // 0.5-0.83 after 3 steps at 0.001, 1.0 every time after 20 or 40 steps at 0.003. The 4 held-out pairs are
        // colour-shape combinations it never saw, which 6 pairs do not teach it (0.25-0.5 measured): only reported.
        assertThat(metrics.get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(metrics.get("heldout_accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(metrics.has("quality_regression")).isTrue();
    }

    @Test
    void pretrainingTheShapesWorldPublishesTheEmaWeightsAndSavesIntermediateCheckpoints() {
        ApiClient trainer = new ApiClient("http://localhost:" + port);
        String job = trainer.post("/v1/jobs", SERVICE, """
                {"method":"pretrain","model":"shapes-scratch","seed":1,
                 "hyperparameters":{"world":"shapes","steps":4,"batch_size":4,"checkpoint_every":2}}""")
                .json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
        JsonNode checkpoint = trainer.get("/v1/models/shapes-scratch/checkpoints", ADMIN).json().get(0);
        assertThat(checkpoint.get("method").asString()).isEqualTo("pretrain");
        assertThat(checkpoint.get("architecture").get("family").asString()).isEqualTo("unet-eps");
        assertThat(checkpoint.get("dataset").get("examples").asInt()).isEqualTo(16);
        assertThat(trainer.get("/v1/jobs/" + job + "/events", ADMIN).json().findValuesAsString("message"))
                .contains("Intermediate checkpoint saved after step 2");
    }

    @Test
    void d3poTrainsOnTheTrajectoriesStoredWithTheCandidates() throws IOException {
        ApiClient trainer = trainer();
        ApiClient labeling = FEEDBACK.api();
        String d3po = labeling.post("/v1/projects", ADMIN, "{\"name\":\"trajectories\",\"modality\":\"image\"}")
                .json().get("id").asString();
        Path store = FEEDBACK.store();
        try (NDManager m = NDManager.newBaseManager()) {
            UNet base = ShapesModel.load(new DirectoryCheckpointStore(store), ShapesModel.BASE, m);
            List<String> prompts = List.of("a red circle", "a red circle", "a blue square", "a blue square",
                    "a green triangle", "a green triangle");
            List<Sampler.Trajectory> trajectories = new ArrayList<>();
            SamplerSettings settings = SamplerSettings.ddim(4, 3).withEta(1.0);
            NDArray images = new Sampler(base, null, base.spec()).sample(m, prompts, new long[] {1, 2, 3, 4, 5, 6},
                    settings, trajectories);
            Files.createDirectories(store.resolve("trajectories/shapes-unet"));
            for (int i = 0; i < prompts.size(); i++) {
                byte[] file = TrajectoryFile.encode(trajectories.get(0), i);
                String path = "trajectories/shapes-unet/test-" + i + ".safetensors";
                Files.write(store.resolve(path), file);
                labeling.post("/v1/projects/" + d3po + "/candidates", SERVICE, ApiClient.json(Map.of(
                        "prompt", prompts.get(i), "model", "shapes-unet", "checkpoint", "base", "seed", i + 1,
                        "image_base64", Base64.getEncoder().encodeToString(ImagePng.encode(images.get(i))),
                        "params", Map.of("trajectory", Map.of("path", path, "sha256", Sha256.hex(file), "steps", 4,
                                "eta", 1.0, "cfg_scale", 3.0, "sampler", "ddim")))));
            }
        }
        labeling.post("/v1/projects/" + d3po + "/pairs/bulk", SERVICE, "{}");
        String labeler = labeling.post("/v1/labelers", ADMIN, "{\"name\":\"dana\"}").json().get("key").asString();
        for (int i = 0; i < 3; i++) {
            JsonNode task = labeling.get("/v1/projects/" + d3po + "/tasks/next", labeler).json();
            labeling.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", labeler, "{\"choice\":\"a\"}");
        }
        String job = trainer.post("/v1/jobs", SERVICE, """
                {"method":"d3po","model":"shapes-unet","project":"%s","seed":4,
                 "hyperparameters":{"steps":2,"batch_size":2,"learning_rate":0.00001,"heldout_fraction":0}}"""
                .formatted(d3po)).json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
        JsonNode checkpoint = publishedBy(trainer, job);
        assertThat(checkpoint.get("method").asString()).isEqualTo("d3po");
        assertThat(checkpoint.get("dataset").get("pairs").asInt()).isEqualTo(3);
        assertThat(checkpoint.get("metrics").has("implicit_acc")).isTrue();
        assertThat(checkpoint.get("metrics").get("quality_regression_on").asString()).isEqualTo("training");
        assertThat(trainer.get("/v1/jobs/" + job + "/events", ADMIN).json().findValuesAsString("message"))
                .anyMatch(msg -> msg.contains("trajectories of 4 DDIM steps"));
    }

    @Test
    void ddpoAndDpokSampleForTheProjectsPromptsScoreWithTheOracleAndPublishOnce() {
        ApiClient trainer = trainer();
        for (String method : List.of("ddpo", "dpok")) {
            String job = trainer.post("/v1/jobs", SERVICE, """
                    {"method":"%s","model":"shapes-unet","project":"%s","seed":6,
                     "hyperparameters":{"steps":2,"checkpoint_every":1,"samples_per_step":4,"batch_size":4,
                     "sampling_steps":4,"timestep_fraction":0.5,"learning_rate":0.00001,"heldout_fraction":0.3}}"""
                    .formatted(method, project)).json().get("id").asString();
            JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
            assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
            List<JsonNode> published = new ArrayList<>();
            trainer.get("/v1/models/shapes-unet/checkpoints", ADMIN).json().forEach(c -> {
                if (job.equals(c.get("job_id").asString(null))) {
                    published.add(c);
                }
            });
            assertThat(published).as("published exactly once").hasSize(1);
            JsonNode checkpoint = published.get(0);
            assertThat(checkpoint.get("method").asString()).isEqualTo(method);
            assertThat(checkpoint.get("parent").asString()).isEqualTo("shapes-unet/base");
            assertThat(checkpoint.get("reference").asString()).isEqualTo("shapes-unet/base");
            JsonNode dataset = checkpoint.get("dataset");
            assertThat(dataset.get("prompts").asInt() + dataset.get("heldout_prompts").asInt())
                    .as("the ten prompts of the comparisons, split by prompt").isEqualTo(10);
            assertThat(dataset.get("heldout_prompts").asInt()).isBetween(1, 6);
            assertThat(dataset.get("reward").asString()).isEqualTo("oracle");
            JsonNode metrics = checkpoint.get("metrics");
            assertThat(metrics.get("reward_mean").asDouble()).as("oracle scores lie in [0, 2]").isBetween(0.0, 2.0);
            assertThat(metrics.get("heldout_reward").asDouble()).isBetween(0.0, 2.0);
            assertThat(metrics.get("heldout_reward_reference").asDouble()).isBetween(0.0, 2.0);
            assertThat(metrics.get("heldout_kl").asDouble()).as("the policy moved").isPositive();
            assertThat(metrics.get("model_mse").asDouble()).isPositive();
            assertThat(metrics.get("ref_mse").asDouble()).isPositive();
            assertThat(metrics.get("quality_regression").asDouble()).isGreaterThanOrEqualTo(0.0);
            assertThat(metrics.get("quality_regression_on").asString()).isEqualTo("heldout");
            if (method.equals("dpok")) {
                assertThat(metrics.get("value_loss").asDouble()).isFinite();
                assertThat(metrics.has("kl")).isTrue();
            } else {
                assertThat(metrics.has("clipfrac")).isTrue();
            }
            assertThat(trainer.get("/v1/jobs/" + job + "/events", ADMIN).json().findValuesAsString("message"))
                    .anyMatch(msg -> msg.contains("Intermediate checkpoint saved after step 1"));
            assertThat(Files.exists(FEEDBACK.store().resolve(".jobs").resolve(job)))
                    .as("snapshots are deleted once published").isFalse();
        }
    }

    @Test
    void aPolicyGradientJobWhoseRewardModelIsNotInTheStoreIsRefusedAtCreation() {
        ApiClient trainer = trainer();
        var response = trainer.post("/v1/jobs", SERVICE, """
                {"method":"dpok","model":"shapes-unet","project":"%s",
                 "hyperparameters":{"reward":"shapes-reward/v9999"}}""".formatted(project));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("hyperparameters.reward").contains("shapes-reward/v9999");
        var base = trainer.post("/v1/jobs", SERVICE, """
                {"method":"ddpo","model":"shapes-unet","project":"%s",
                 "hyperparameters":{"reward":"shapes-unet/base"}}""".formatted(project));
        assertThat(base.status()).isEqualTo(400);
        assertThat(base.body()).contains("is not an image reward model");
    }

    private ApiClient trainer() {
        judgedImages();
        ApiClient trainer = new ApiClient("http://localhost:" + port);
        assertThat(trainer.post("/v1/models/shapes-unet/promote", ADMIN, "{\"version\":\"base\"}").status()).isEqualTo(200);
        return trainer;
    }

    private static JsonNode publishedBy(ApiClient trainer, String job) {
        for (JsonNode c : trainer.get("/v1/models/shapes-unet/checkpoints", ADMIN).json()) {
            if (job.equals(c.get("job_id").asString(null))) {
                return c;
            }
        }
        throw new AssertionError("job " + job + " published nothing");
    }

    private static String png(NDManager m, Scene scene) {
        float[] pixels = ShapeRenderer.render(scene, 16);
        return Base64.getEncoder().encodeToString(ImagePng.encode(m.create(pixels, new Shape(3, 16, 16))));
    }
}
