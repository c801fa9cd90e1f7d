package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** What the dashboard reads besides the stats: activity over time, the sample grid, the trainer's checkpoints. */
class DashboardDataTest extends FeedbackIntegrationTest {

    @Test
    void activityCountsJudgmentsPerBucketAndBinsTheirTimes() {
        String project = textProjectWithPairs(4, 1);
        String ann = createLabeler("active ann");
        int[] elapsed = {500, 1500, 1700, 45000};
        for (int i = 0; i < 4; i++) {
            JsonNode task = nextTask(project, ann);
            api.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", ann,
                    ApiClient.json(Map.of("choice", i == 3 ? "skip" : "a", "elapsed_ms", elapsed[i])));
        }
        JsonNode activity = api.get("/v1/projects/" + project + "/stats/activity", ADMIN).json();
        assertThat(activity.get("bucket").asString()).isEqualTo("minute");
        JsonNode throughput = activity.get("throughput");
        long judged = 0;
        long skipped = 0;
        for (JsonNode bucket : throughput) {
            judged += bucket.get("judgments").asLong();
            skipped += bucket.get("skips").asLong();
        }
        assertThat(judged).isEqualTo(3);
        assertThat(skipped).isEqualTo(1);
        Map<Integer, Long> bins = new LinkedHashMap<>();
        activity.get("elapsed_ms").forEach(b -> bins.put(b.get("from_ms").asInt(), b.get("count").asLong()));
        assertThat(bins).containsEntry(0, 1L).containsEntry(1000, 2L).containsEntry(30000, 0L).hasSize(10);
        assertThat(activity.get("elapsed_ms").get(9).get("to_ms").isNull()).isTrue();

        JsonNode daily = api.get("/v1/projects/" + project + "/stats/activity?bucket=day", SERVICE).json();
        assertThat(daily.get("throughput")).hasSize(1);
        assertThat(daily.get("throughput").get(0).get("median_ms").asDouble()).isEqualTo(1500);
        assertThat(api.get("/v1/projects/" + project + "/stats/activity?bucket=week", ADMIN).status()).isEqualTo(400);
        assertThat(api.get("/v1/projects/" + project + "/stats/activity", ann).status()).isEqualTo(403);
    }

    @Test
    void statsGiveEachLabelersLeftRate() {
        String project = textProjectWithPairs(4, 1);
        String lefty = createLabeler("lefty");
        for (int i = 0; i < 4; i++) {
            JsonNode task = nextTask(project, lefty);
            judge(task, lefty, task.get(i < 3 ? "left" : "right").get("choice").asString());
        }
        JsonNode labeler = api.get("/v1/projects/" + project + "/stats", ADMIN).json().get("labelers").get(0);
        assertThat(labeler.get("decisive").asLong()).isEqualTo(4);
        assertThat(labeler.get("left_rate").asDouble()).isEqualTo(0.75);
    }

    @Test
    void theSampleGridHasOneRowPerCheckpointAndOneColumnPerSharedPrompt() {
        String project = createProject("image", 1, true);
        String v1red = candidate(project, "a red circle", "shapes-base/v0001", 0xff0000);
        candidate(project, "a blue square", "shapes-base/v0001", 0x0000ff);
        candidate(project, "a red circle", "shapes-base/v0001", 0xee0000); // a second sample: the first is shown
        candidate(project, "a red circle", "shapes-base/v0002", 0xff0000);
        candidate(project, "a blue square", "shapes-base/v0002", 0x0000ff);
        candidate(project, "a green star", "shapes-base/v0002", 0x00ff00);

        JsonNode grid = api.get("/v1/projects/" + project + "/samples?prompts=2", ADMIN).json();
        assertThat(grid.get("prompts")).extracting(JsonNode::asString).containsExactly("a red circle", "a blue square");
        JsonNode rows = grid.get("checkpoints");
        assertThat(rows).extracting(r -> r.get("checkpoint").asString())
                .containsExactly("shapes-base/v0001", "shapes-base/v0002");
        assertThat(rows.get(0).get("candidates").asLong()).isEqualTo(3);
        assertThat(rows.get(0).get("samples").get(0).get("candidate_id").asString()).isEqualTo(v1red);
        assertThat(rows.get(0).get("samples").get(0).get("image_url").asString()).contains("/v1/images/");

        JsonNode all = api.get("/v1/projects/" + project + "/samples?prompts=3&checkpoints=1", SERVICE).json();
        assertThat(all.get("checkpoints")).hasSize(1).allSatisfy(r -> assertThat(r.get("checkpoint").asString())
                .as("the newest checkpoints").isEqualTo("shapes-base/v0002"));
        assertThat(api.get("/v1/projects/" + project + "/samples?prompts=0", ADMIN).status()).isEqualTo(400);
    }

    @Test
    void theTrainersCheckpointsComeThroughWithTheirMetrics() {
        ApiClient.Response response = api.get("/v1/trainer/models", ADMIN);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode models = response.json();
        assertThat(models.get("configured").asBoolean()).isTrue();
        JsonNode model = models.get("models").get(0);
        assertThat(model.get("name").asString()).isEqualTo(TrainerStub.MODEL);
        assertThat(model.get("current_version").asString()).isEqualTo("v0003");
        assertThat(model.get("checkpoints")).hasSize(3);
        assertThat(model.get("checkpoints").get(2).get("metrics").get("rewards/accuracies").asDouble()).isEqualTo(0.71);
        assertThat(api.get("/v1/trainer/models", createLabeler("curious")).status()).isEqualTo(403);

        TrainerStub.failing(true);
        try {
            ApiClient.Response down = api.get("/v1/trainer/models", ADMIN);
            assertThat(down.status()).isEqualTo(502);
            assertThat(down.contentType()).startsWith("application/problem+json");
            assertThat(down.body()).contains("503");
        } finally {
            TrainerStub.failing(false);
        }
    }

    @Test
    void aProjectsCampaignsComeThroughWithTheirHistoryInOneOverview() {
        String project = createProject("image", 1, true);
        String other = createProject("image", 1, true);
        TrainerStub.campaignProjects(project, other);
        ApiClient.Response response = api.get("/v1/trainer/campaigns?project=" + project, ADMIN);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("configured").asBoolean()).isTrue();
        JsonNode campaigns = response.json().get("campaigns");
        assertThat(campaigns).as("only the project's campaign").hasSize(1);
        assertThat(campaigns.get(0).get("id").asString()).isEqualTo(TrainerStub.CAMPAIGN);
        assertThat(campaigns.get(0).get("target_depth").asInt()).isEqualTo(TrainerStub.TARGET_DEPTH);
        assertThat(campaigns.get(0).get("selection").get("mode").asString()).isEqualTo("uncertainty");
        JsonNode others = api.get("/v1/trainer/campaigns?project=" + other, ADMIN).json().get("campaigns");
        assertThat(others).extracting(c -> c.get("id").asString()).containsExactly(TrainerStub.OTHER_CAMPAIGN);
        String lonely = createProject("image", 1, true);
        assertThat(api.get("/v1/trainer/campaigns?project=" + lonely, ADMIN).json().get("campaigns")).isEmpty();

        JsonNode overview = api.get("/v1/trainer/campaigns/" + TrainerStub.CAMPAIGN + "/overview", ADMIN).json();
        assertThat(overview.get("campaign").get("name").asString()).isEqualTo("shapes, June");
        assertThat(overview.get("depth")).extracting(d -> d.get("open_pairs").asInt())
                .containsExactly(java.util.Arrays.stream(TrainerStub.DEPTH).boxed().toArray(Integer[]::new));
        assertThat(overview.get("proposals")).hasSize(6);
        assertThat(overview.get("proposals").get(0).get("reason").asString()).isEqualTo("checkpoint");
        JsonNode evaluations = overview.get("evaluations");
        assertThat(evaluations).hasSize(2);
        assertThat(evaluations.get(1).get("checkpoint").asString()).isEqualTo(TrainerStub.MODEL + "/v0003");
        assertThat(evaluations.get(1).get("ci_low").asDouble()).isEqualTo(TrainerStub.CI_LOW[1]);
        assertThat(evaluations.get(0).get("metric_value").asDouble()).isEqualTo(TrainerStub.EVALUATED_METRIC[0]);

        JsonNode without = api.get("/v1/trainer/campaigns/" + TrainerStub.OTHER_CAMPAIGN + "/overview", ADMIN).json();
        assertThat(without.get("campaign").get("state").asString()).isEqualTo("paused");
        assertThat(without.get("campaign").get("last_error").asString()).contains("serves no checkpoint");
        assertThat(without.get("evaluations")).as("the trainer's 404 for evaluations: none yet").isEmpty();
        assertThat(without.get("depth")).hasSize(1);
    }

    @Test
    void theCampaignProxyRefusesBadIdsUnknownCampaignsAndLabelersAndReportsATrainerDown() {
        ApiClient.Response unknown = api.get("/v1/trainer/campaigns/" + java.util.UUID.randomUUID() + "/overview", ADMIN);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        ApiClient.Response badId = api.get("/v1/trainer/campaigns/not-a-uuid/overview", ADMIN);
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.body()).contains("id");
        ApiClient.Response badProject = api.get("/v1/trainer/campaigns?project=nope", ADMIN);
        assertThat(badProject.status()).isEqualTo(400);
        assertThat(badProject.body()).contains("project");
        assertThat(api.get("/v1/trainer/campaigns", ADMIN).status()).as("project is required").isEqualTo(400);

        String labeler = createLabeler("nosy");
        String project = createProject("image", 1, true);
        assertThat(api.get("/v1/trainer/campaigns?project=" + project, labeler).status()).isEqualTo(403);
        assertThat(api.get("/v1/trainer/campaigns/" + TrainerStub.CAMPAIGN + "/overview", labeler).status())
                .isEqualTo(403);
        assertThat(api.get("/v1/trainer/campaigns?project=" + project, SERVICE).status()).isEqualTo(403);

        TrainerStub.failing(true);
        try {
            for (String path : new String[] {"/v1/trainer/campaigns?project=" + project,
                    "/v1/trainer/campaigns/" + TrainerStub.CAMPAIGN + "/overview"}) {
                ApiClient.Response down = api.get(path, ADMIN);
                assertThat(down.status()).as(path).isEqualTo(502);
                assertThat(down.contentType()).startsWith("application/problem+json");
                assertThat(down.body()).contains("503");
            }
        } finally {
            TrainerStub.failing(false);
        }
    }

    private String candidate(String project, String prompt, String checkpoint, int rgb) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("prompt", prompt);
        body.put("image_base64", java.util.Base64.getEncoder().encodeToString(png(8, 8, rgb)));
        body.put("model", "shapes-base");
        body.put("checkpoint", checkpoint);
        ApiClient.Response response = api.post("/v1/projects/" + project + "/candidates", SERVICE, ApiClient.json(body));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }
}
