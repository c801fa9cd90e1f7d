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
    void anAdminSeesCountsPlotsAgreementBiasCheckpointsCampaignsAndSamples() {
        String project = shapesProjectJudgedByThreeLabelers();
        String elsewhere = api.post("/v1/projects", ADMIN, ApiClient.json(Map.of("name", "shapes elsewhere",
                "modality", "image", "instructions", "Pick one"))).json().get("id").asString();
        String lonely = api.post("/v1/projects", ADMIN, ApiClient.json(Map.of("name", "no campaign here",
                "modality", "image", "instructions", "Pick one"))).json().get("id").asString();
        TrainerStub.campaignProjects(project, elsewhere);

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

        campaignPanel();

        driver.manage().window().setSize(new Dimension(1280, 1000));
        long height = (Long) js("return document.documentElement.scrollHeight");
        driver.manage().window().setSize(new Dimension(1280, (int) Math.min(height + 140, 4000)));
        screenshot("dashboard");
        driver.manage().window().setSize(new Dimension(1280, 1000));

        driver.manage().window().setSize(new Dimension(390, 844));
        assertThat((Boolean) js("return document.documentElement.scrollWidth <= window.innerWidth"))
                .as("no sideways scrolling on a phone: %s", js("""
                        return [...document.querySelectorAll('body *')]
                          .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                          .slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' '
                            + Math.round(e.getBoundingClientRect().right)).join(', ')""")).isTrue();
        assertThat(driver.findElement(By.cssSelector("#campaign-depth svg")).getRect().getWidth())
                .as("the depth chart fits the phone").isLessThanOrEqualTo(390);
        js("document.getElementById('campaigns-card').scrollIntoView()");
        screenshot("dashboard-phone");
        driver.manage().window().setSize(new Dimension(1280, 1000));

        pickProject(elsewhere);
        await("the other campaign", () -> visible(By.cssSelector("[data-fact='name'] dd")).getText()
                .equals("shapes elsewhere"));
        assertThat(visible(By.cssSelector("[data-fact='state'] dd")).getText()).isEqualTo("paused");
        assertThat(visible(By.id("campaign-error")).getText()).contains("serves no checkpoint of shapes-base yet");
        assertThat(visible(By.cssSelector("#campaign-winrate .no-votes")).getText()).isEqualTo("No evaluation votes yet.");
        assertThat(driver.findElements(By.cssSelector("#campaign-winrate svg"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("#campaign-curve svg circle.dot")))
                .as("the registry's held-out metric of the campaign's one checkpoint")
                .extracting(d -> Double.parseDouble(d.getDomAttribute("data-value"))).containsExactly(TrainerStub.HELDOUT[0]);
        assertThat(driver.findElement(By.id("campaign-curve-metric")).getText()).contains("heldout_implicit_acc", "registry");

        pickProject(lonely);
        assertThat(driver.findElement(By.id("campaigns-card")).isDisplayed()).as("no campaigns, no panel").isFalse();
        assertThat(driver.findElement(By.id("checkpoints-card")).isDisplayed()).isTrue();
    }

    /** The campaign of the project: its facts, and its four charts drawn from the trainer stand-in's numbers. */
    private void campaignPanel() {
        WebElement card = visible(By.id("campaigns-card"));
        assertThat(card.findElement(By.tagName("h2")).getText()).isEqualTo("Campaigns");
        assertThat(driver.findElement(By.id("campaign-controls")).isDisplayed()).as("one campaign: no selector").isFalse();
        assertThat(visible(By.cssSelector("[data-fact='name'] dd")).getText()).isEqualTo("shapes, June");
        assertThat(visible(By.cssSelector("[data-fact='state'] dd")).getText()).isEqualTo("active");
        assertThat(visible(By.cssSelector("[data-fact='model'] dd")).getText()).isEqualTo(TrainerStub.MODEL);
        assertThat(visible(By.cssSelector("[data-fact='selection'] dd")).getText()).startsWith("uncertainty");
        assertThat(visible(By.cssSelector("[data-fact='depth'] dd")).getText())
                .isEqualTo(TrainerStub.DEPTH[TrainerStub.DEPTH.length - 1] + " / " + TrainerStub.TARGET_DEPTH);
        assertThat(driver.findElement(By.id("campaign-error")).isDisplayed()).isFalse();

        // depth: one dot per sample, in order, on the right side of the dashed target line
        List<WebElement> samples = driver.findElements(By.cssSelector("#campaign-depth svg circle.sample"));
        assertThat(samples).extracting(d -> Integer.parseInt(d.getDomAttribute("data-value")))
                .containsExactly(java.util.Arrays.stream(TrainerStub.DEPTH).boxed().toArray(Integer[]::new));
        WebElement target = driver.findElement(By.cssSelector("#campaign-depth svg line.target"));
        double targetY = Double.parseDouble(target.getDomAttribute("y1"));
        assertThat(target.getDomAttribute("y2")).isEqualTo(target.getDomAttribute("y1"));
        for (int i = 0; i < samples.size(); i++) {
            double cy = Double.parseDouble(samples.get(i).getDomAttribute("cy"));
            int open = TrainerStub.DEPTH[i];
            if (open < TrainerStub.TARGET_DEPTH) assertThat(cy).as("sample %d below the target", i).isGreaterThan(targetY);
            if (open > TrainerStub.TARGET_DEPTH) assertThat(cy).as("sample %d above the target", i).isLessThan(targetY);
            if (open == TrainerStub.TARGET_DEPTH) assertThat(cy).isCloseTo(targetY, org.assertj.core.data.Offset.offset(0.01));
        }
        assertThat(driver.findElements(By.cssSelector("#campaign-depth svg path.step"))).hasSize(1);
        assertThat(samples.get(0).getDomAttribute("class")).as("coloured by checkpoint").isEqualTo("sample g0");
        assertThat(samples.get(samples.size() - 1).getDomAttribute("class")).isEqualTo("sample g2");
        assertThat(driver.findElement(By.cssSelector("#campaign-depth svg > title")).getDomProperty("textContent"))
                .contains("open pairs over time");
        assertThat(driver.findElements(By.cssSelector("#campaign-depth-table tbody tr"))).hasSize(TrainerStub.DEPTH.length);

        // comparisons per checkpoint: a bar for each non-zero count, heights in proportion
        List<WebElement> resolved = driver.findElements(By.cssSelector("#campaign-bars svg rect.bar.resolved"));
        assertThat(resolved).hasSize(3);
        assertThat(driver.findElements(By.cssSelector("#campaign-bars svg rect.bar.open"))).hasSize(2);
        assertThat(driver.findElements(By.cssSelector("#campaign-bars svg rect.bar.retired"))).hasSize(1);
        double h1 = Double.parseDouble(resolved.get(0).getDomAttribute("height"));
        double h3 = Double.parseDouble(resolved.get(2).getDomAttribute("height"));
        assertThat(h1 / h3).isCloseTo((double) TrainerStub.COUNTS[0][0] / TrainerStub.COUNTS[2][0],
                org.assertj.core.data.Offset.offset(0.01));
        assertThat(driver.findElements(By.cssSelector("#campaign-bars-table tbody tr"))).hasSize(TrainerStub.COUNTS.length);

        // learning curve: the evaluations' held-out metric per promoted checkpoint
        List<WebElement> curve = driver.findElements(By.cssSelector("#campaign-curve svg circle.dot"));
        assertThat(curve).extracting(d -> Double.parseDouble(d.getDomAttribute("data-value")))
                .containsExactly(TrainerStub.EVALUATED_METRIC[0], TrainerStub.EVALUATED_METRIC[1]);
        assertThat(Double.parseDouble(curve.get(1).getDomAttribute("cy")))
                .as("the higher value drawn higher").isLessThan(Double.parseDouble(curve.get(0).getDomAttribute("cy")));
        assertThat(driver.findElement(By.id("campaign-curve-metric")).getText()).contains("heldout_implicit_acc");

        // win rate: a dot and its interval per evaluation, on a 0–1 scale with a guide at 0.5
        List<WebElement> dots = driver.findElements(By.cssSelector("#campaign-winrate svg circle.dot"));
        List<WebElement> bands = driver.findElements(By.cssSelector("#campaign-winrate svg rect.band"));
        assertThat(dots).hasSize(2);
        assertThat(bands).hasSize(2);
        double zero = Double.parseDouble(driver.findElement(By.cssSelector("#campaign-winrate svg line.axis")).getDomAttribute("x1"));
        double half = Double.parseDouble(driver.findElement(By.cssSelector("#campaign-winrate svg line.guide")).getDomAttribute("x1"));
        double unit = 2 * (half - zero);
        for (int i = 0; i < 2; i++) {
            double x = Double.parseDouble(bands.get(i).getDomAttribute("x"));
            double w = Double.parseDouble(bands.get(i).getDomAttribute("width"));
            double cx = Double.parseDouble(dots.get(i).getDomAttribute("cx"));
            assertThat((x - zero) / unit).isCloseTo(TrainerStub.CI_LOW[i], org.assertj.core.data.Offset.offset(0.001));
            assertThat((x + w - zero) / unit).isCloseTo(TrainerStub.CI_HIGH[i], org.assertj.core.data.Offset.offset(0.001));
            assertThat((cx - zero) / unit).isCloseTo(TrainerStub.WIN_RATE[i], org.assertj.core.data.Offset.offset(0.001));
        }
        assertThat(driver.findElement(By.id("campaign-winrate")).getText()).contains("v0003 vs v0002");
        assertThat(driver.findElements(By.cssSelector("#campaign-winrate-table tbody tr"))).hasSize(2);
    }

    private void pickProject(String project) {
        js("const s = document.getElementById('project'); s.value = arguments[0]; s.dispatchEvent(new Event('change'))", project);
        await("project " + project, () -> project.equals(js("return document.getElementById('dashboard').dataset.loaded")));
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
