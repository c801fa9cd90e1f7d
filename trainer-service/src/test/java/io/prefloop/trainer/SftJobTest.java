package io.prefloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.common.test.ApiClient;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.shapes.Colour;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.Scene;
import io.prefloop.model.shapes.ShapeKind;
import io.prefloop.model.shapes.ShapeRenderer;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * SFT end to end over real HTTP: labelers write demonstrations in the real feedback-service; the
 * trainer fine-tunes the committed replies language model and shapes UNet on them with DJL and
 * publishes checkpoints whose held-out metrics compare with the start.
 */
@TestPropertySource(properties = {
        "prefloop.auth.admin-key=" + SftJobTest.ADMIN, "prefloop.auth.service-key=" + SftJobTest.SERVICE,
        "prefloop.trainer.workers.count=1", "prefloop.trainer.workers.poll=200ms"})
class SftJobTest extends TrainerIntegrationTest {

    static final String ADMIN = "sft-admin";
    static final String SERVICE = "sft-service";

    @RegisterExtension
    static final FeedbackForTrainer FEEDBACK = new FeedbackForTrainer("prefloop-sft-job-", ADMIN, SERVICE);

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) throws IOException {
        TrainerTestSupport.copyCommitted("replies-base", "v0001", FEEDBACK.store(), "replies-sft");
        TrainerTestSupport.copyCommitted("shapes-unet", "base", FEEDBACK.store(), "shapes-sft");
        FEEDBACK.wire(registry);
    }

    @Test
    void anSftJobMakesTheLanguageModelLikelierToWriteTheDemonstrations() {
        ApiClient labeling = FEEDBACK.api();
        String project = labeling.post("/v1/projects", ADMIN, "{\"name\":\"sft text\",\"modality\":\"text\"}").json()
                .get("id").asString();
        String writer = labeling.post("/v1/labelers", ADMIN, "{\"name\":\"wendy\"}").json().get("key").asString();
        for (int i = 0; i < 12; i++) {
            ApiClient.Response written = labeling.post("/v1/projects/" + project + "/demonstrations", writer,
                    ApiClient.json(Map.of("prompt", "What is " + i + " plus one?",
                            "text", " Certainly. The answer is " + (i + 1) + ".")));
            assertThat(written.status()).as(written.body()).isEqualTo(201);
        }

        ApiClient trainer = trainer();
        ApiClient.Response created = trainer.post("/v1/jobs", SERVICE, """
                {"method":"sft","model":"replies-sft","project":"%s","seed":2,
                 "hyperparameters":{"steps":8,"batch_size":8,"learning_rate":0.001,"heldout_fraction":0.3}}"""
                .formatted(project));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, created.json().get("id").asString());
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");

        JsonNode checkpoint = trainer.get("/v1/models/replies-sft/checkpoints", ADMIN).json().get(1);
        assertThat(checkpoint.get("method").asString()).isEqualTo("sft");
        assertThat(checkpoint.get("parent").asString()).isEqualTo("replies-sft/v0001");
        JsonNode dataset = checkpoint.get("dataset");
        assertThat(dataset.get("demonstrations").asInt()).isEqualTo(12);
        assertThat(dataset.get("examples").asInt() + dataset.get("heldout_examples").asInt()).isEqualTo(12);
        assertThat(dataset.get("heldout_examples").asInt()).as("0.3 of twelve prompts, by hash").isBetween(1, 8);
        JsonNode metrics = checkpoint.get("metrics");
        assertThat(metrics.get("heldout_nll").asDouble()).as("the demonstrations' style is learnt")
                .isLessThan(metrics.get("heldout_ref_nll").asDouble());
        assertThat(metrics.get("quality_regression").asDouble()).isZero();
        assertThat(metrics.get("quality_regression_on").asString()).isEqualTo("heldout");
    }

    @Test
    void anSftJobFineTunesTheUNetOnDemonstrationImages() {
        ApiClient labeling = FEEDBACK.api();
        String project = labeling.post("/v1/projects", ADMIN, "{\"name\":\"sft images\",\"modality\":\"image\"}").json()
                .get("id").asString();
        try (NDManager m = NDManager.newBaseManager()) {
            for (Colour colour : Colour.values()) {
                for (ShapeKind shape : ShapeKind.values()) {
                    float[] pixels = ShapeRenderer.render(new Scene(colour, shape, 8, 8, 10), 16);
                    String png = Base64.getEncoder().encodeToString(ImagePng.encode(m.create(pixels, new Shape(3, 16, 16))));
                    assertThat(labeling.post("/v1/projects/" + project + "/demonstrations", SERVICE, ApiClient.json(Map.of(
                            "prompt", new Prompt(colour, shape).text(), "image_base64", png))).status()).isEqualTo(201);
                }
            }
        }
        ApiClient trainer = trainer();
        String job = trainer.post("/v1/jobs", SERVICE, """
                {"method":"sft","model":"shapes-sft","project":"%s","seed":3,
                 "hyperparameters":{"steps":3,"batch_size":4,"heldout_fraction":0.3}}"""
                .formatted(project)).json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
        JsonNode checkpoint = trainer.get("/v1/models/shapes-sft/checkpoints", ADMIN).json().get(1);
        assertThat(checkpoint.get("method").asString()).isEqualTo("sft");
        assertThat(checkpoint.get("architecture").get("family").asString()).isEqualTo("unet-eps");
        JsonNode metrics = checkpoint.get("metrics");
        assertThat(metrics.get("heldout_ref_mse").asDouble()).isPositive();
        assertThat(metrics.get("heldout_model_mse").asDouble()).isPositive();
        assertThat(metrics.get("quality_regression").asDouble()).isGreaterThanOrEqualTo(0.0);
        assertThat(metrics.has("loss")).isTrue();
    }

    @Test
    void anSftJobWithoutDemonstrationsFailsSayingHowToAddThem() {
        ApiClient labeling = FEEDBACK.api();
        String project = labeling.post("/v1/projects", ADMIN, "{\"name\":\"empty\",\"modality\":\"text\"}").json()
                .get("id").asString();
        ApiClient trainer = trainer();
        String job = trainer.post("/v1/jobs", SERVICE, """
                {"method":"sft","model":"replies-sft","project":"%s","hyperparameters":{"steps":2}}"""
                .formatted(project)).json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(finished.get("status").asString()).isEqualTo("failed");
        assertThat(finished.get("error").asString()).contains("no demonstrations").contains("/demonstrations");
    }

    @Test
    void nonsenseSftSettingsAreRefusedUpFront() {
        ApiClient.Response refused = trainer().post("/v1/jobs", SERVICE, """
                {"method":"sft","model":"replies-sft","project":"%s","hyperparameters":{"data":"everything","prompt_dropout":2}}"""
                .formatted(java.util.UUID.randomUUID()));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("data").contains("prompt_dropout");
    }

    private ApiClient trainer() {
        ApiClient trainer = new ApiClient("http://localhost:" + port);
        trainer.post("/v1/models/replies-sft/promote", ADMIN, "{\"version\":\"v0001\"}");
        trainer.post("/v1/models/shapes-sft/promote", ADMIN, "{\"version\":\"base\"}");
        return trainer;
    }
}
