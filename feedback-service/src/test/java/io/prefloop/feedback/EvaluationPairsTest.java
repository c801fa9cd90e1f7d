package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prefloop.common.test.ApiClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Evaluation pairs over HTTP: served before training pairs under every selection rule, kept out of
 * the comparisons feed, the export, the summary's training counts and retirement, listed by
 * purpose, and counted into human win rates with a Wilson interval.
 */
class EvaluationPairsTest extends FeedbackIntegrationTest {

    @Test
    void evaluationPairsAreServedFirstOldestFirstUnderFifo() {
        String project = project(1, null);
        String training1 = trainingPair(project, "t1", "m/v1", null);
        String training2 = trainingPair(project, "t2", "m/v1", null);
        String evaluation1 = evaluationPair(project, "e1", "m/v2", "m/v1");
        String evaluation2 = evaluationPair(project, "e2", "m/v2", "m/v1");

        assertThat(servedInOrder(project, createLabeler("fifo"))).containsExactly(evaluation1, evaluation2, training1,
                training2);
        assertThat(pair(evaluation1).get("served_by").asString()).isEqualTo("evaluation");
        assertThat(pair(evaluation2).get("served_by").asString()).isEqualTo("evaluation");
        assertThat(pair(training1).get("served_by").asString()).isEqualTo("fifo");
    }

    @Test
    void evaluationPairsAreServedFirstUnderUncertaintyAndItsRandomShare() {
        for (double randomShare : List.of(0.0, 1.0)) {
            String project = project(1, Map.of("mode", "uncertainty", "random_share", randomShare));
            String coinFlip = trainingPair(project, "t1", "m/v1", 0.5);
            String evaluation1 = evaluationPair(project, "e1", "m/v2", "m/v1");
            String evaluation2 = evaluationPair(project, "e2", "m/v2", "m/v1");
            String training = trainingPair(project, "t2", "m/v1", 0.51);

            List<String> served = servedInOrder(project, createLabeler("uncertain " + randomShare));
            assertThat(served).as("random_share " + randomShare).hasSize(4);
            assertThat(served.subList(0, 2)).as("random_share " + randomShare).containsExactly(evaluation1, evaluation2);
            assertThat(served.subList(2, 4)).containsExactlyInAnyOrder(coinFlip, training);
            assertThat(pair(evaluation1).get("served_by").asString()).isEqualTo("evaluation");
            assertThat(pair(coinFlip).get("served_by").asString())
                    .isEqualTo(randomShare == 0 ? "uncertainty" : "random");
        }
    }

    @Test
    void judgedEvaluationPairsNeverEnterTheFeedNorTheExport() {
        String project = project(1, null);
        String training1 = trainingPair(project, "t1", "m/v1", null);
        String evaluation = evaluationPair(project, "e1", "m/v2", "m/v1");
        String training2 = trainingPair(project, "t2", "m/v1", null);
        String labeler = createLabeler("feeder");

        assertThat(judgeDirectly(training1, labeler, "a").status()).isEqualTo(201);
        JsonNode before = feed(project, null);
        assertThat(positions(before)).containsExactly(1L);
        assertThat(before.get("has_more").asBoolean()).isFalse();

        assertThat(judgeDirectly(evaluation, labeler, "b").status()).isEqualTo(201);
        assertThat(pair(evaluation).get("status").asString()).isEqualTo("resolved");
        JsonNode after = feed(project, null);
        assertThat(positions(after)).containsExactly(1L);
        assertThat(after.get("data").get(0).get("pair_id").asString()).isEqualTo(training1);
        assertThat(after.get("has_more").asBoolean()).isFalse();
        assertThat(feed(project, "1").get("data")).as("nothing past position 1").isEmpty();

        assertThat(judgeDirectly(training2, labeler, "a").status()).isEqualTo(201);
        JsonNode feed = feed(project, null);
        assertThat(positions(feed)).as("training comparisons stay gapless").containsExactly(1L, 2L);
        assertThat(feed.get("data").get(1).get("pair_id").asString()).isEqualTo(training2);
        assertThat(jdbc.sql("select feed_position from pairs where id = ?::uuid").param(evaluation)
                .query(Long.class).optional()).isEmpty();
        assertThat(jdbc.sql("select feed_position from projects where id = ?::uuid").param(project)
                .query(Long.class).single()).isEqualTo(2L);

        ApiClient.Response export = api.get("/v1/projects/" + project + "/export?format=trl", SERVICE);
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.headers().firstValue("X-Feed-Position")).contains("2");
        assertThat(export.body().lines().toList()).hasSize(2).noneMatch(line -> line.contains("\"e1\""));
    }

    @Test
    void theSummaryCountsTrainingPairsAndRetiringLeavesEvaluationPairs() {
        String project = project(1, null);
        trainingPair(project, "t1", "m/v2", null);
        trainingPair(project, "t2", "m/v2", null);
        String evaluation1 = evaluationPair(project, "e1", "m/v2", "m/v1");
        String evaluation2 = evaluationPair(project, "e2", "m/v2", "m/v1");
        String evaluation3 = evaluationPair(project, "e3", "m/v2", "m/v1");
        String onlyEvaluated = evaluationPair(project, "e4", "m/v3", "m/v2");

        JsonNode summary = summary(project);
        assertThat(summary.get("open").asLong()).isEqualTo(2);
        assertThat(summary.get("evaluation_open").asLong()).isEqualTo(4);
        JsonNode rows = summary.get("by_checkpoint");
        assertThat(rows).as("m/v3 has evaluation pairs only").hasSize(1);
        assertThat(rows.get(0).get("checkpoint").asString()).isEqualTo("m/v2");
        assertThat(rows.get(0).get("open").asLong()).isEqualTo(2);

        assertThat(judgeDirectly(evaluation1, createLabeler("summary"), "a").status()).isEqualTo(201);
        ApiClient.Response retired = api.post("/v1/projects/" + project + "/pairs/retire", SERVICE,
                ApiClient.json(Map.of("checkpoints", List.of("m/v2", "m/v3"))));
        assertThat(retired.status()).as(retired.body()).isEqualTo(200);
        assertThat(retired.json().get("retired").asInt()).isEqualTo(2);
        for (String pair : List.of(evaluation2, evaluation3, onlyEvaluated)) {
            assertThat(pair(pair).get("status").asString()).isEqualTo("open");
        }

        JsonNode after = summary(project);
        assertThat(after.get("open").asLong()).isZero();
        assertThat(after.get("evaluation_open").asLong()).isEqualTo(3);
        assertThat(after.get("by_checkpoint").get(0).get("retired").asLong()).isEqualTo(2);
        assertThat(after.get("by_checkpoint").get(0).get("resolved").asLong()).as("the judged one is evaluation").isZero();

        JsonNode stats = api.get("/v1/projects/" + project + "/stats", ADMIN).json();
        assertThat(stats.get("pairs_retired").asLong()).isEqualTo(2);
        assertThat(stats.get("pairs").size()).as("no training pair is live").isZero();
        assertThat(stats.get("outcomes").size()).isZero();
        assertThat(stats.get("evaluation_pairs").get("unjudged").asLong()).isEqualTo(3);
        assertThat(stats.get("evaluation_pairs").get("resolved").asLong()).isEqualTo(1);
        assertThat(stats.get("judgments").asLong()).isEqualTo(1);
    }

    @Test
    void winRatesCountVotesWithTiesAsHalfAndGiveAWilsonInterval() {
        String project = project(3, null);
        String resolved = evaluationPair(project, "e1", "m/v2", "m/v1");
        String open = evaluationPair(project, "e2", "m/v2", "m/v1");
        String unjudged = evaluationPair(project, "e3", "m/v3", "m/v2");
        String training = trainingPair(project, "t1", "m/v2", null);
        String ann = createLabeler("ann");
        String bob = createLabeler("bob");
        String cy = createLabeler("cy");
        for (String[] vote : new String[][] {{resolved, ann, "a"}, {resolved, bob, "a"}, {resolved, cy, "tie"},
                {open, ann, "b"}, {open, bob, "both_bad"}, {training, ann, "a"}, {training, bob, "a"}}) {
            ApiClient.Response judged = judgeDirectly(vote[0], vote[1], vote[2]);
            assertThat(judged.status()).as(judged.body()).isEqualTo(201);
        }
        assertThat(api.get("/v1/projects/" + project + "/evaluations?checkpoint=m/v9", SERVICE).json().get("data"))
                .isEmpty();

        JsonNode data = api.get("/v1/projects/" + project + "/evaluations", ADMIN).json().get("data");
        assertThat(data).hasSize(2);
        JsonNode v2 = data.get(0);
        assertThat(v2.get("checkpoint").asString()).isEqualTo("m/v2");
        assertThat(v2.get("against").asString()).isEqualTo("m/v1");
        assertThat(v2.get("pairs").asLong()).as("the training pair of m/v2 is not counted").isEqualTo(2);
        assertThat(v2.get("open").asLong()).isEqualTo(1);
        assertThat(v2.get("resolved").asLong()).isEqualTo(1);
        assertThat(v2.get("wins").asLong()).isEqualTo(2);
        assertThat(v2.get("losses").asLong()).isEqualTo(1);
        assertThat(v2.get("ties").asLong()).isEqualTo(1);
        assertThat(v2.get("both_bad").asLong()).isEqualTo(1);
        assertThat(v2.get("votes").asLong()).isEqualTo(4);
        // (2 + 1/2) / 4; Wilson with z = 1.96, n = 4: center 0.563713, half 0.344337
        assertThat(v2.get("win_rate").asDouble()).isEqualTo(0.625);
        assertThat(v2.get("ci_low").asDouble()).isCloseTo(0.2194, within(0.0001));
        assertThat(v2.get("ci_high").asDouble()).isCloseTo(0.9081, within(0.0001));

        JsonNode v3 = data.get(1);
        assertThat(v3.get("checkpoint").asString()).isEqualTo("m/v3");
        assertThat(v3.get("against").asString()).isEqualTo("m/v2");
        assertThat(v3.get("votes").asLong()).isZero();
        assertThat(v3.get("win_rate").isNull()).isTrue();
        assertThat(v3.get("ci_low").isNull()).isTrue();
        assertThat(v3.get("ci_high").isNull()).isTrue();
        assertThat(java.time.Instant.parse(v3.get("first_created_at").asString()))
                .isAfter(java.time.Instant.parse(v2.get("first_created_at").asString()));

        JsonNode filtered = api.get("/v1/projects/" + project + "/evaluations?checkpoint=m/v3", SERVICE).json()
                .get("data");
        assertThat(filtered).hasSize(1);
        assertThat(filtered.get(0).get("pairs").asLong()).isEqualTo(1);
        assertThat(pair(unjudged).get("purpose").asString()).isEqualTo("evaluation");
    }

    @Test
    void theListingShowsAndFiltersByPurpose() {
        String project = project(1, null);
        String training = trainingPair(project, "t1", "m/v1", null);
        String evaluation = evaluationPair(project, "e1", "m/v2", "m/v1");
        String explicitTraining = pair(project, text(project, "t2", "one", "m/v1"), text(project, "t2", "two", "m/v0"),
                Map.of("purpose", "training"));

        assertThat(pair(training).get("purpose").asString()).as("the default").isEqualTo("training");
        JsonNode all = api.get("/v1/projects/" + project + "/pairs", SERVICE).json().get("data");
        assertThat(ids(all)).containsExactly(training, evaluation, explicitTraining);
        assertThat(all.get(1).get("purpose").asString()).isEqualTo("evaluation");
        assertThat(all.get(0).get("purpose").asString()).isEqualTo("training");
        assertThat(ids(api.get("/v1/projects/" + project + "/pairs?purpose=evaluation", SERVICE).json().get("data")))
                .containsExactly(evaluation);
        assertThat(ids(api.get("/v1/projects/" + project + "/pairs?purpose=training&status=open", ADMIN).json()
                .get("data"))).containsExactly(training, explicitTraining);
    }

    private String project(int judgmentsPerPair, Map<String, Object> selection) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("name", "evaluation", "modality", "text",
                "judgments_per_pair", judgmentsPerPair, "allow_ties", true));
        if (selection != null) {
            body.put("selection", selection);
        }
        ApiClient.Response response = api.post("/v1/projects", ADMIN, ApiClient.json(body));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    /** A training pair (purpose left to its default) of {@code checkpoint} against m/v0, scored when pA is not null. */
    private String trainingPair(String project, String prompt, String checkpoint, Double pA) {
        return pair(project, text(project, prompt, "new", checkpoint), text(project, prompt, "old", "m/v0"),
                pA == null ? Map.of() : Map.of("p_a", pA, "scored_by", "rm/v1"));
    }

    /** An evaluation pair of the same prompt and seed: a from {@code checkpoint}, b from {@code against}. */
    private String evaluationPair(String project, String prompt, String checkpoint, String against) {
        return pair(project, text(project, prompt, "new " + checkpoint, checkpoint),
                text(project, prompt, "old " + against, against), Map.of("purpose", "evaluation"));
    }

    private JsonNode pair(String id) {
        ApiClient.Response response = api.get("/v1/pairs/" + id, SERVICE);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private JsonNode summary(String project) {
        ApiClient.Response response = api.get("/v1/projects/" + project + "/pairs/summary", SERVICE);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private JsonNode feed(String project, String after) {
        ApiClient.Response response = api.get("/v1/projects/" + project + "/comparisons"
                + (after == null ? "" : "?after=" + after), SERVICE);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static List<Long> positions(JsonNode page) {
        List<Long> positions = new ArrayList<>();
        page.get("data").forEach(c -> positions.add(c.get("position").asLong()));
        return positions;
    }
}
