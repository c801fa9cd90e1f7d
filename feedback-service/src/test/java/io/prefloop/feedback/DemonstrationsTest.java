package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Demonstrations: written by labelers or services, listed for the trainer, kept out of bulk pairing. */
class DemonstrationsTest extends FeedbackIntegrationTest {

    @Test
    void aLabelersDemonstrationIsStoredOnceAndListedForTheTrainerOnly() {
        String project = createProject("text", 1, false);
        addText(project, "What is 2+2?", "four lol");
        String labeler = createLabeler("writer");
        String body = ApiClient.json(Map.of("prompt", "What is 2+2?", "text", "Certainly. The answer is 4."));

        ApiClient.Response written = api.post("/v1/projects/" + project + "/demonstrations", labeler, body,
                Map.of("Idempotency-Key", "demo-1"));
        assertThat(written.status()).as(written.body()).isEqualTo(201);
        JsonNode demo = written.json();
        assertThat(demo.get("demonstration").asBoolean()).isTrue();
        assertThat(demo.get("author").asString()).isNotBlank();
        ApiClient.Response retried = api.post("/v1/projects/" + project + "/demonstrations", labeler, body,
                Map.of("Idempotency-Key", "demo-1"));
        assertThat(retried.json().get("id").asString()).isEqualTo(demo.get("id").asString());
        assertThat(demonstrations(project)).isEqualTo(1);

        JsonNode listed = api.get("/v1/projects/" + project + "/demonstrations", SERVICE).json().get("data");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("text").asString()).isEqualTo("Certainly. The answer is 4.");
        assertThat(api.get("/v1/projects/" + project + "/candidates", SERVICE).json().get("data")).hasSize(2);
        assertThat(api.get("/v1/projects/" + project + "/demonstrations", labeler).status()).isEqualTo(403);
    }

    @Test
    void bulkPairingLeavesDemonstrationsOut() {
        String project = createProject("text", 1, false);
        addText(project, "p", "model reply one");
        addText(project, "p", "model reply two");
        assertThat(api.post("/v1/projects/" + project + "/demonstrations", SERVICE,
                ApiClient.json(Map.of("prompt", "p", "text", "written reply"))).status()).isEqualTo(201);

        ApiClient.Response bulk = api.post("/v1/projects/" + project + "/pairs/bulk", SERVICE,
                ApiClient.json(Map.of("pairing", "all")));
        assertThat(bulk.status()).as(bulk.body()).isEqualTo(201);
        assertThat(bulk.json().get("pairs")).hasSize(1);
    }

    @Test
    void aDemonstrationMustMatchTheProjectsModalityAndChangesNothingWhenRefused() {
        String text = createProject("text", 1, false);
        String image = createProject("image", 1, false);
        String png = Base64.getEncoder().encodeToString(png(16, 16, 0xff0000));
        assertThat(api.post("/v1/projects/" + text + "/demonstrations", SERVICE,
                ApiClient.json(Map.of("prompt", "p", "image_base64", png))).status()).isEqualTo(400);
        ApiClient.Response noText = api.post("/v1/projects/" + image + "/demonstrations", SERVICE,
                ApiClient.json(Map.of("prompt", "p", "text", "t")));
        assertThat(noText.status()).isEqualTo(400);
        assertThat(noText.contentType()).startsWith("application/problem+json");
        assertThat(noText.body()).contains("image_base64");
        assertThat(api.post("/v1/projects/" + image + "/demonstrations", SERVICE,
                ApiClient.json(Map.of("prompt", "", "image_base64", png))).status()).isEqualTo(400);
        assertThat(api.post("/v1/projects/00000000-0000-0000-0000-000000000000/demonstrations", SERVICE,
                ApiClient.json(Map.of("prompt", "p", "text", "t"))).status()).isEqualTo(404);
        assertThat(demonstrations(text) + demonstrations(image)).isZero();
        ApiClient.Response drawn = api.post("/v1/projects/" + image + "/demonstrations", SERVICE,
                ApiClient.json(Map.of("prompt", "a red circle", "image_base64", png)));
        assertThat(drawn.status()).as(drawn.body()).isEqualTo(201);
        assertThat(drawn.json().get("image_url").asString()).endsWith(".png");
    }

    private long demonstrations(String project) {
        return jdbc.sql("select count(*) from candidates where demonstration and project_id = ?::uuid").param(project)
                .query(Long.class).single();
    }
}
