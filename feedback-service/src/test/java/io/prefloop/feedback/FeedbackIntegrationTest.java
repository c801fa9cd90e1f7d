package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.RealPostgres;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Base of the feedback-service integration tests: the whole service on a random port, over real
 * HTTP, on a real PostgreSQL. Tests share one context; each works in projects of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "prefloop.auth.admin-key=" + FeedbackIntegrationTest.ADMIN,
        "prefloop.auth.service-key=" + FeedbackIntegrationTest.SERVICE,
        "prefloop.feedback.max-image-size=200KB",
        "prefloop.feedback.max-image-side=512",
        "prefloop.web.max-request-size=1MB"})
@ContextConfiguration(initializers = RealPostgres.class)
public abstract class FeedbackIntegrationTest {

    public static final String ADMIN = "test-admin-key";
    public static final String SERVICE = "test-service-key";

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcClient jdbc;

    protected ApiClient api;

    /** The trainer whose checkpoints the dashboard shows is a stub in this JVM (declared here, so all tests share one context). */
    @DynamicPropertySource
    static void trainer(DynamicPropertyRegistry registry) {
        registry.add("prefloop.feedback.trainer-url", TrainerStub::url);
    }

    @BeforeEach
    void client() {
        api = new ApiClient("http://localhost:" + port);
    }

    protected String createProject(String modality, int judgmentsPerPair, boolean allowTies) {
        ApiClient.Response response = api.post("/v1/projects", ADMIN, ApiClient.json(Map.of("name", "test " + modality,
                "modality", modality, "instructions", "Pick the better one", "judgments_per_pair", judgmentsPerPair,
                "allow_ties", allowTies)));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    /** @return the new labeler's key */
    protected String createLabeler(String name) {
        ApiClient.Response response = api.post("/v1/labelers", ADMIN, ApiClient.json(Map.of("name", name)));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("key").asString();
    }

    protected String addText(String project, String prompt, String text) {
        ApiClient.Response response = api.post("/v1/projects/" + project + "/candidates", SERVICE,
                ApiClient.json(Map.of("prompt", prompt, "text", text, "model", "replies-base", "seed", 7)));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    protected String addImage(String project, String prompt, byte[] png) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", prompt);
        body.put("image_base64", Base64.getEncoder().encodeToString(png));
        body.put("model", "shapes-base");
        body.put("checkpoint", "shapes-base/1");
        body.put("seed", 42);
        body.put("params", Map.of("cfg_scale", 2.0, "steps", 25));
        ApiClient.Response response = api.post("/v1/projects/" + project + "/candidates", SERVICE, ApiClient.json(body));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    protected String pair(String project, String a, String b) {
        ApiClient.Response response = api.post("/v1/projects/" + project + "/pairs", SERVICE,
                ApiClient.json(Map.of("candidate_a", a, "candidate_b", b)));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    /** A text project with {@code pairs} pairs, one prompt each. */
    protected String textProjectWithPairs(int pairs, int judgmentsPerPair) {
        String project = createProject("text", judgmentsPerPair, true);
        for (int i = 0; i < pairs; i++) {
            pair(project, addText(project, "prompt " + i, "reply one " + i), addText(project, "prompt " + i,
                    "reply two " + i));
        }
        return project;
    }

    protected JsonNode nextTask(String project, String labelerKey) {
        ApiClient.Response response = api.get("/v1/projects/" + project + "/tasks/next", labelerKey);
        assertThat(response.status()).as(response.body()).isIn(200, 204);
        return response.status() == 204 ? null : response.json();
    }

    protected ApiClient.Response judge(JsonNode task, String labelerKey, String choice) {
        return api.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", labelerKey,
                ApiClient.json(Map.of("choice", choice, "elapsed_ms", 1200, "task_id", task.get("task_id").asString())));
    }

    protected static byte[] png(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x + y) % 3 == 0 ? rgb : 0x808080);
            }
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A text candidate made by model "m" at {@code checkpoint} (none when null); its id. */
    protected String text(String project, String prompt, String text, String checkpoint) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("prompt", prompt, "text", text, "model", "m", "seed", 3));
        if (checkpoint != null) {
            body.put("checkpoint", checkpoint);
        }
        ApiClient.Response response = api.post("/v1/projects/" + project + "/candidates", SERVICE, ApiClient.json(body));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    /** A pair of two candidates, with {@code extra} fields (p_a, scored_by, purpose); its id. */
    protected String pair(String project, String a, String b, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>(extra);
        body.put("candidate_a", a);
        body.put("candidate_b", b);
        ApiClient.Response response = api.post("/v1/projects/" + project + "/pairs", SERVICE, ApiClient.json(body));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    /** The pairs one labeler is served, judging each ('a') before asking for the next, until none is left. */
    protected List<String> servedInOrder(String project, String labeler) {
        return servedInOrder(project, labeler, Integer.MAX_VALUE);
    }

    /** As {@link #servedInOrder(String, String)}, at most {@code most} pairs. */
    protected List<String> servedInOrder(String project, String labeler, int most) {
        List<String> served = new ArrayList<>();
        for (JsonNode task = nextTask(project, labeler); task != null && served.size() < most;
                task = served.size() < most ? nextTask(project, labeler) : null) {
            served.add(task.get("pair_id").asString());
            ApiClient.Response judged = judge(task, labeler, "a");
            assertThat(judged.status()).as(judged.body()).isEqualTo(201);
        }
        return served;
    }

    protected ApiClient.Response judgeDirectly(String pair, String labeler, String choice) {
        return api.post("/v1/pairs/" + pair + "/judgments", labeler, ApiClient.json(Map.of("choice", choice)));
    }

    protected static List<String> ids(JsonNode data) {
        List<String> ids = new ArrayList<>();
        data.forEach(item -> ids.add(item.get("id").asString()));
        return ids;
    }
}
