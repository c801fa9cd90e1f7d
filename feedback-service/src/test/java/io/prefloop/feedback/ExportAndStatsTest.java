package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prefloop.common.test.ApiClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ExportAndStatsTest extends FeedbackIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void textExportsInTrlAndOpenAiFormatsHoldOnlyDecisivePairs() {
        String project = createProject("text", 1, true);
        String labeler = createLabeler("exporter");
        pair(project, addText(project, "Greet", "Hi there!"), addText(project, "Greet", "Whatever."));
        pair(project, addText(project, "Thank", "Thanks!"), addText(project, "Thank", "Thanks a lot!"));
        judge(nextTask(project, labeler), labeler, "a");
        judge(nextTask(project, labeler), labeler, "tie");

        ApiClient.Response trl = api.get("/v1/projects/" + project + "/export?format=trl", ADMIN);
        assertThat(trl.status()).isEqualTo(200);
        assertThat(trl.contentType()).startsWith("application/x-ndjson");
        List<JsonNode> rows = lines(trl.body());
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("prompt").asString()).isEqualTo("Greet");
        assertThat(rows.get(0).get("chosen").asString()).isEqualTo("Hi there!");
        assertThat(rows.get(0).get("rejected").asString()).isEqualTo("Whatever.");

        List<JsonNode> openai = lines(api.get("/v1/projects/" + project + "/export?format=openai", SERVICE).body());
        assertThat(openai).hasSize(1);
        JsonNode row = openai.get(0);
        assertThat(row.get("input").get("messages").get(0).get("role").asString()).isEqualTo("user");
        assertThat(row.get("input").get("messages").get(0).get("content").asString()).isEqualTo("Greet");
        assertThat(row.get("preferred_output").get(0).get("content").asString()).isEqualTo("Hi there!");
        assertThat(row.get("non_preferred_output").get(0).get("content").asString()).isEqualTo("Whatever.");
    }

    @Test
    void pickapicExportHasOneRowPerJudgmentWithHalfLabelsForTies() {
        String project = createProject("image", 2, true);
        String ann = createLabeler("ann");
        String bob = createLabeler("bob");
        String red = addImage(project, "a red circle", png(16, 16, 0xff0000));
        String blue = addImage(project, "a red circle", png(16, 16, 0x0000ff));
        pair(project, red, blue);
        judge(nextTask(project, ann), ann, "a");
        judge(nextTask(project, bob), bob, "tie");

        List<JsonNode> rows = lines(api.get("/v1/projects/" + project + "/export?format=pickapic", ADMIN).body());
        assertThat(rows).hasSize(2);
        JsonNode decisive = rows.stream().filter(r -> r.get("label_0").asDouble() == 1.0).findFirst().orElseThrow();
        JsonNode tie = rows.stream().filter(r -> r.get("label_0").asDouble() == 0.5).findFirst().orElseThrow();
        assertThat(decisive.get("caption").asString()).isEqualTo("a red circle");
        assertThat(decisive.get("image_0_uid").asString()).isEqualTo(red);
        assertThat(decisive.get("best_image_uid").asString()).isEqualTo(red);
        assertThat(decisive.get("image_0_url").asString()).endsWith(".png");
        assertThat(decisive.get("model_0").asString()).isEqualTo("shapes-base");
        assertThat(decisive.get("are_different").asBoolean()).isTrue();
        assertThat(tie.get("label_1").asDouble()).isEqualTo(0.5);
        assertThat(tie.get("best_image_uid").asString()).isEmpty();
        assertThat(rows.get(0).get("user_id").asString()).isNotEqualTo(rows.get(1).get("user_id").asString());
    }

    @Test
    void statsReportCountsAgreementPositionBiasAndTimes() {
        String project = textProjectWithPairs(4, 2);
        String ann = createLabeler("ann");
        String bob = createLabeler("bob");
        // ann and bob agree on every pair: a, a, b, b
        int leftPicks = 0;
        for (int i = 0; i < 4; i++) {
            String choice = i < 2 ? "a" : "b";
            for (String labeler : List.of(ann, bob)) {
                JsonNode task = nextTask(project, labeler);
                leftPicks += task.get("left").get("choice").asString().equals(choice) ? 1 : 0;
                ApiClient.Response judged = api.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments",
                        labeler, ApiClient.json(Map.of("choice", choice, "elapsed_ms", labeler.equals(ann) ? 1000 : 3000,
                                "task_id", task.get("task_id").asString())));
                assertThat(judged.status()).as(judged.body()).isEqualTo(201);
            }
        }

        JsonNode stats = api.get("/v1/projects/" + project + "/stats", ADMIN).json();
        assertThat(stats.get("pairs").get("resolved").asLong()).isEqualTo(4);
        assertThat(stats.get("outcomes").get("a").asLong()).isEqualTo(2);
        assertThat(stats.get("judgments").asLong()).isEqualTo(8);
        assertThat(stats.get("krippendorff_alpha").isNumber()).isTrue();
        assertThat(stats.get("krippendorff_alpha").asDouble()).isEqualTo(1.0);
        assertThat(stats.get("median_ms_per_judgment").asDouble()).isEqualTo(2000.0);
        JsonNode bias = stats.get("position_bias");
        assertThat(bias.get("decisive").asLong()).isEqualTo(8);
        assertThat(bias.get("left_rate").asDouble()).isCloseTo(leftPicks / 8.0, within(1e-9));
        JsonNode labelers = stats.get("labelers");
        assertThat(labelers).hasSize(2);
        labelers.forEach(l -> assertThat(l.get("agreement_with_consensus").asDouble()).isCloseTo(1.0, within(1e-9)));
    }

    private static List<JsonNode> lines(String ndjson) {
        return ndjson.lines().filter(l -> !l.isBlank()).map(JSON::readTree).toList();
    }
}
