package io.prefloop.feedback.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.feedback.TrainerStub;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/** The admin dashboard in headless Chromium, against the stats the API and the database give. */
class DashboardPageTest extends BrowserTest {

    private static final String[] VERSIONS = {"v0001", "v0002", "v0003"};
    private static final String[] PROMPTS = {"a red circle", "a blue square", "a green circle", "a yellow square"};
    private static final int[] RIGHT = {0xd1495b, 0x2e86ab, 0x66a182, 0xedae49};

    @Test
    void anAdminSeesCountsPlotsAgreementBiasCheckpointsAndSamples() {
        String project = shapesProjectJudgedByThreeLabelers();

        openFresh("/dashboard?project=" + project);
        visible(By.id("key")).sendKeys(createLabeler("not an admin"), Keys.ENTER);
        await("the refusal", () -> visible(By.id("sign-in-error")).getText().contains("not an admin key"));
        WebElement key = visible(By.id("key"));
        key.clear();
        key.sendKeys(ADMIN, Keys.ENTER);
        await("the dashboard", () -> project.equals(js("return document.getElementById('dashboard').dataset.loaded")));

        JsonNode stats = api.get("/v1/projects/" + project + "/stats", ADMIN).json();
        long judgments = jdbc.sql("select count(*) from judgments where project_id = ?::uuid")
                .param(project).query(Long.class).single();
        assertThat(stat("judgments")).isEqualTo(String.valueOf(judgments));
        assertThat(stat("resolved")).isEqualTo(String.valueOf(stats.get("pairs").get("resolved").asLong()));
        assertThat(stat("alpha")).isEqualTo(String.format(java.util.Locale.ROOT, "%.3f", stats.get("krippendorff_alpha").asDouble()));
        assertThat(driver.findElements(By.cssSelector("#labelers tbody tr"))).hasSize(3);
        assertThat(driver.findElements(By.cssSelector("#throughput svg rect.bar"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("#elapsed svg rect.bar"))).isNotEmpty();
        assertThat(driver.findElements(By.cssSelector("#bias svg circle.dot"))).as("all labelers and each one").hasSize(4);
        assertThat(driver.findElements(By.cssSelector("#agreement svg rect.bar"))).hasSize(3);

        assertThat(driver.findElements(By.cssSelector("#timeline svg circle"))).hasSize(3);
        assertThat(driver.findElements(By.cssSelector("#timeline svg circle.current"))).hasSize(1);
        assertThat(visible(By.id("checkpoints")).getText()).contains("v0003 (current)", "diffusion_dpo");

        List<WebElement> rows = driver.findElements(By.cssSelector("#samples .sample-row"));
        assertThat(rows).extracting(r -> r.getDomAttribute("data-checkpoint"))
                .containsExactly("shapes-base/v0001", "shapes-base/v0002", "shapes-base/v0003");
        assertThat(await("the sample images", () -> (Boolean) js("""
                const images = [...document.querySelectorAll('#samples img')];
                return images.length === 12 && images.every(i => i.complete && i.naturalWidth > 0)"""))).isTrue();

        driver.manage().window().setSize(new Dimension(1280, 2300));
        screenshot("dashboard");
        driver.manage().window().setSize(new Dimension(1280, 1000));
    }

    /**
     * Three checkpoints' images for four prompts, paired across checkpoints, judged by three
     * simulated labelers: all prefer the newer checkpoint, more or less reliably, and one of them
     * picks the left side half of the time. The judgments' times are then spread over the last three hours in the database,
     * so that the throughput plot has a shape.
     */
    private String shapesProjectJudgedByThreeLabelers() {
        ApiClient.Response created = api.post("/v1/projects", ADMIN, ApiClient.json(Map.of("name", "shapes, round 3",
                "modality", "image", "instructions", "Pick the image that matches the prompt", "judgments_per_pair", 3)));
        String project = created.json().get("id").asString();
        Map<String, Integer> version = new LinkedHashMap<>();
        List<List<String>> byPrompt = new ArrayList<>();
        for (int p = 0; p < PROMPTS.length; p++) {
            List<String> candidates = new ArrayList<>();
            for (int v = 0; v < VERSIONS.length; v++) {
                for (int s = 0; s < 2; s++) {
                    // older checkpoints get the colour wrong more often
                    boolean right = s == 0 ? v > 0 : v == 2;
                    int colour = right ? RIGHT[p] : RIGHT[(p + 1) % RIGHT.length];
                    String id = candidate(project, PROMPTS[p], VERSIONS[v], Shapes.png(p % 2 == 0, colour, v * 2 + s));
                    version.put(id, v);
                    candidates.add(id);
                }
            }
            byPrompt.add(candidates);
        }
        for (List<String> candidates : byPrompt) {
            for (int i = 0; i < candidates.size(); i++) {
                for (int j = i + 1; j < candidates.size(); j++) {
                    if (!version.get(candidates.get(i)).equals(version.get(candidates.get(j)))) {
                        pair(project, candidates.get(i), candidates.get(j));
                    }
                }
            }
        }
        Random random = new Random(7);
        String[] keys = {createLabeler("ann"), createLabeler("bob"), createLabeler("cy")};
        for (boolean any = true; any; ) {
            any = false;
            for (int l = 0; l < keys.length; l++) { // in turns, as people working at the same time
                JsonNode task = nextTask(project, keys[l]);
                if (task == null) {
                    continue;
                }
                any = true;
                String newer = version.get(task.get("left").get("candidate_id").asString())
                        > version.get(task.get("right").get("candidate_id").asString()) ? "left" : "right";
                String side = switch (l) {
                    case 0 -> random.nextDouble() < 0.9 ? newer : other(newer);
                    case 1 -> random.nextDouble() < 0.5 ? "left" : newer;
                    default -> random.nextDouble() < 0.75 ? newer : other(newer);
                };
                String choice = random.nextDouble() < 0.04 ? "skip" : task.get(side).get("choice").asString();
                ApiClient.Response judged = api.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments",
                        keys[l], ApiClient.json(Map.of("choice", choice, "elapsed_ms",
                                1500 + random.nextInt(l == 2 ? 2500 : 9000), "task_id", task.get("task_id").asString())));
                assertThat(judged.status()).isEqualTo(201);
            }
        }
        jdbc.sql("update judgments set created_at = now() - random() * interval '3 hours' where project_id = ?::uuid")
                .param(project).update();
        return project;
    }

    private static String other(String side) {
        return side.equals("left") ? "right" : "left";
    }

    private String candidate(String project, String prompt, String version, byte[] png) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", prompt);
        body.put("image_base64", Base64.getEncoder().encodeToString(png));
        body.put("model", TrainerStub.MODEL);
        body.put("checkpoint", TrainerStub.MODEL + "/" + version);
        ApiClient.Response response = api.post("/v1/projects/" + project + "/candidates", SERVICE, ApiClient.json(body));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    private String stat(String name) {
        return visible(By.cssSelector("[data-stat='" + name + "'] .value")).getText();
    }
}
