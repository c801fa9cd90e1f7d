package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Active pair selection over HTTP: scores on pairs, the uncertainty rule of tasks/next with its
 * random share, retiring superseded pairs, the per-checkpoint summary, and served_by in the feed.
 */
class PairSelectionTest extends FeedbackIntegrationTest {

    @Test
    void uncertaintyServesTheCoinFlipsFirstAndUnscoredPairsLast() {
        String project = project(1, Map.of("mode", "uncertainty", "random_share", 0));
        // created in an order that fifo would serve differently
        String unscored = scoredPair(project, "p1", null);
        String far = scoredPair(project, "p2", 0.9);
        String near = scoredPair(project, "p3", 0.2);
        String closest = scoredPair(project, "p4", 0.55);
        String labeler = createLabeler("curious");

        assertThat(servedInOrder(project, labeler)).containsExactly(closest, near, far, unscored);
        for (String pair : List.of(closest, near, far, unscored)) {
            assertThat(pair(pair).get("served_by").asString()).isEqualTo("uncertainty");
        }
    }

    @Test
    void fifoIgnoresScores() {
        String project = project(1, null);
        String first = scoredPair(project, "p1", 0.99);
        String second = scoredPair(project, "p2", 0.5);
        String third = scoredPair(project, "p3", null);
        String labeler = createLabeler("orderly");

        assertThat(servedInOrder(project, labeler)).containsExactly(first, second, third);
        assertThat(pair(second).get("served_by").asString()).isEqualTo("fifo");
    }

    @Test
    void aRandomShareOfOneServesEveryPairAtRandomAndSaysSo() {
        String project = project(1, Map.of("mode", "uncertainty", "random_share", 1));
        List<String> byUncertainty = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            // the uncertainty order is the creation order here: |p_a - 0.5| grows with i
            byUncertainty.add(scoredPair(project, "p" + i, 0.5 + i * 0.02));
        }
        String labeler = createLabeler("explorer");

        List<String> served = servedInOrder(project, labeler);
        assertThat(served).containsExactlyInAnyOrderElementsOf(byUncertainty);
        assertThat(served).as("20 pairs in the uncertainty order by chance: 1 in 20!").isNotEqualTo(byUncertainty);
        for (String pair : served) {
            assertThat(pair(pair).get("served_by").asString()).isEqualTo("random");
        }
    }

    @Test
    void bulkScoresChangeTheOrderOfOpenPairsOnly() {
        String project = project(1, Map.of("mode", "uncertainty", "random_share", 0));
        String judged = scoredPair(project, "p0", null);
        String a = scoredPair(project, "p1", null);
        String b = scoredPair(project, "p2", null);
        String c = scoredPair(project, "p3", null);
        String ann = createLabeler("ann");
        JsonNode first = nextTask(project, ann);
        assertThat(first.get("pair_id").asString()).as("unscored pairs go oldest first").isEqualTo(judged);
        assertThat(judge(first, ann, "a").status()).isEqualTo(201);

        ApiClient.Response scored = api.post("/v1/projects/" + project + "/pairs/scores", SERVICE, ApiClient.json(Map.of(
                "scored_by", "replies-rm/v2",
                "scores", List.of(score(judged, 0.5), score(a, 0.9), score(b, 0.7), score(c, 0.52)))));
        assertThat(scored.status()).as(scored.body()).isEqualTo(200);
        assertThat(scored.json().get("updated").asInt()).isEqualTo(3);
        assertThat(scored.json().get("skipped").asInt()).isEqualTo(1);

        JsonNode resolved = pair(judged);
        assertThat(resolved.get("p_a").isNull()).as("a resolved pair keeps its score").isTrue();
        JsonNode rescored = pair(b);
        assertThat(rescored.get("p_a").asDouble()).isEqualTo(0.7);
        assertThat(rescored.get("scored_by").asString()).isEqualTo("replies-rm/v2");
        assertThat(servedInOrder(project, createLabeler("bob"))).containsExactly(c, b, a);
    }

    @Test
    void theSelectionIsSetAtCreationShownAndChangedByPut() {
        String project = project(1, Map.of("mode", "uncertainty", "random_share", 0.1));
        JsonNode selection = api.get("/v1/projects/" + project, ADMIN).json().get("selection");
        assertThat(selection.get("mode").asString()).isEqualTo("uncertainty");
        assertThat(selection.get("random_share").asDouble()).isEqualTo(0.1);
        JsonNode byDefault = api.get("/v1/projects/" + project(1, null), ADMIN).json().get("selection");
        assertThat(byDefault.get("mode").asString()).isEqualTo("fifo");
        assertThat(byDefault.get("random_share").asDouble()).isEqualTo(0.2);

        String fifo = project(1, null);
        String old = scoredPair(fifo, "p1", 0.95);
        String coinFlip = scoredPair(fifo, "p2", 0.5);
        ApiClient.Response put = api.send("PUT", "/v1/projects/" + fifo + "/selection", SERVICE, "application/json",
                ApiClient.json(Map.of("mode", "uncertainty", "random_share", 0)).getBytes(StandardCharsets.UTF_8));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("mode").asString()).isEqualTo("uncertainty");
        assertThat(api.get("/v1/projects/" + fifo, ADMIN).json().get("selection").get("random_share").asDouble())
                .isEqualTo(0.0);
        assertThat(servedInOrder(fifo, createLabeler("switched"))).containsExactly(coinFlip, old);
    }

    @Test
    void aPairCarriesItsScoreAndTheListingShowsWhatRescoringNeeds() {
        String project = project(1, null);
        String first = pair(project, text(project, "Say hi", "Hi!", "replies/v1"), text(project, "Say hi", "Yo", "replies/v0"),
                Map.of("p_a", 0.25, "scored_by", "replies-rm/v1"));
        JsonNode created = pair(first);
        assertThat(created.get("p_a").asDouble()).isEqualTo(0.25);
        assertThat(created.get("scored_by").asString()).isEqualTo("replies-rm/v1");
        assertThat(created.get("status").asString()).isEqualTo("open");
        assertThat(created.get("served_by").isNull()).isTrue();
        String second = pair(project, text(project, "q", "one", "replies/v1"), text(project, "q", "two", "replies/v1"),
                Map.of("p_a", 0.5));
        String third = pair(project, text(project, "r", "three", null), text(project, "r", "four", null), Map.of());
        String labeler = createLabeler("lister");
        assertThat(judge(nextTask(project, labeler), labeler, "a").status()).isEqualTo(201);

        JsonNode page = api.get("/v1/projects/" + project + "/pairs?limit=2", SERVICE).json();
        assertThat(page.get("data")).hasSize(2);
        assertThat(page.get("has_more").asBoolean()).isTrue();
        JsonNode item = page.get("data").get(0);
        assertThat(item.get("id").asString()).isEqualTo(first);
        assertThat(item.get("status").asString()).isEqualTo("resolved");
        assertThat(item.get("served_by").asString()).isEqualTo("fifo");
        assertThat(item.get("p_a").asDouble()).isEqualTo(0.25);
        assertThat(item.get("scored_by").asString()).isEqualTo("replies-rm/v1");
        assertThat(item.get("prompt").asString()).isEqualTo("Say hi");
        assertThat(item.get("a").get("text").asString()).isEqualTo("Hi!");
        assertThat(item.get("a").get("checkpoint").asString()).isEqualTo("replies/v1");
        assertThat(item.get("b").get("text").asString()).isEqualTo("Yo");
        assertThat(item.get("b").get("checkpoint").asString()).isEqualTo("replies/v0");
        assertThat(item.get("b").get("candidate_id").asString()).isEqualTo(created.get("candidate_b").asString());
        assertThat(page.get("data").get(1).get("scored_by").isNull()).isTrue();

        JsonNode rest = api.get("/v1/projects/" + project + "/pairs?limit=2&after=" + page.get("next_cursor").asString(),
                SERVICE).json();
        assertThat(rest.get("data")).hasSize(1);
        assertThat(rest.get("data").get(0).get("id").asString()).isEqualTo(third);
        assertThat(rest.get("data").get(0).get("p_a").isNull()).isTrue();
        assertThat(rest.get("next_cursor").isNull()).isTrue();

        JsonNode open = api.get("/v1/projects/" + project + "/pairs?status=open", ADMIN).json().get("data");
        assertThat(ids(open)).containsExactly(second, third);
    }

    @Test
    void theListingGivesImageProjectsTheUrlsTasksUse() {
        String project = createProject("image", 1, true);
        String pair = pair(project, addImage(project, "a circle", png(8, 8, 0xff0000)),
                addImage(project, "a circle", png(8, 8, 0x00ff00)));
        JsonNode item = api.get("/v1/projects/" + project + "/pairs", SERVICE).json().get("data").get(0);
        JsonNode task = nextTask(project, createLabeler("viewer"));
        assertThat(task.get("pair_id").asString()).isEqualTo(pair);
        JsonNode sideA = task.get("left").get("choice").asString().equals("a") ? task.get("left") : task.get("right");
        assertThat(item.get("a").get("image_url").asString()).isEqualTo(sideA.get("image_url").asString()).contains("/v1/images/");
        assertThat(item.get("a").get("text").isNull()).isTrue();
        assertThat(item.get("a").get("checkpoint").asString()).isEqualTo("shapes-base/1");
    }

    @Test
    void retiringLeavesTouchedPairsAloneAndRetiredPairsAreNeverServedNorJudged() {
        String project = project(2, null);
        String voted = checkpointPair(project, "p1", "m/v1");
        String leased = checkpointPair(project, "p2", "m/v1");
        String skipped = checkpointPair(project, "p3", "m/v1");
        String untouched = checkpointPair(project, "p4", "m/v1");
        String expired = checkpointPair(project, "p5", "m/v1");
        String newer = checkpointPair(project, "p6", "m/v2");
        String ann = createLabeler("ann");
        String bob = createLabeler("bob");
        String cy = createLabeler("cy");
        assertThat(judgeDirectly(voted, ann, "a").status()).isEqualTo(201);
        assertThat(judgeDirectly(skipped, bob, "skip").status()).isEqualTo(201);
        assertThat(nextTask(project, cy).get("pair_id").asString()).isEqualTo(voted);
        assertThat(nextTask(project, cy).get("pair_id").asString()).as("cy's second lease").isEqualTo(leased);
        jdbc.sql("""
                insert into tasks (id, pair_id, project_id, labeler_id, left_choice, state, leased_at, expires_at)
                values (gen_random_uuid(), ?::uuid, ?::uuid, gen_random_uuid(), 'a', 'leased',
                        now() - interval '2 hours', now() - interval '1 hour')""")
                .params(expired, project).update();

        ApiClient.Response retired = api.post("/v1/projects/" + project + "/pairs/retire", SERVICE,
                ApiClient.json(Map.of("checkpoints", List.of("m/v1", "m/v0"))));
        assertThat(retired.status()).as(retired.body()).isEqualTo(200);
        assertThat(retired.json().get("retired").asInt()).isEqualTo(2);
        for (String pair : List.of(voted, leased, skipped, newer)) {
            assertThat(pair(pair).get("status").asString()).as(pair).isEqualTo("open");
        }
        for (String pair : List.of(untouched, expired)) {
            JsonNode view = pair(pair);
            assertThat(view.get("status").asString()).isEqualTo("retired");
            assertThat(view.get("outcome").isNull()).isTrue();
        }
        assertThat(ids(api.get("/v1/projects/" + project + "/pairs?status=retired", SERVICE).json().get("data")))
                .containsExactly(untouched, expired);

        String dan = createLabeler("dan");
        JsonNode progress = api.get("/v1/projects/" + project + "/progress", dan).json();
        assertThat(progress.get("pairs_open").asLong()).isEqualTo(4);
        assertThat(progress.get("left_for_you").asLong()).as("voted has 1 vote and cy's lease").isEqualTo(3);
        assertThat(progress.get("judgments_left").asLong()).isEqualTo(1 + 2 + 2 + 2);
        assertThat(servedInOrder(project, dan)).containsExactly(leased, skipped, newer);
        ApiClient.Response refused = judgeDirectly(untouched, dan, "a");
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("retired");
        assertThat(pair(untouched).get("votes").get("a").asInt()).isZero();
        assertThat(api.post("/v1/projects/" + project + "/pairs/retire", ADMIN,
                ApiClient.json(Map.of("checkpoints", List.of("m/v1")))).json().get("retired").asInt())
                .as("retiring again finds nothing more").isZero();
    }

    @Test
    void theSummaryCountsPairsPerCheckpointAfterJudgmentsAndRetirements() {
        String project = project(1, null);
        JsonNode empty = api.get("/v1/projects/" + project + "/pairs/summary", SERVICE).json();
        assertThat(empty.get("open").asLong()).isZero();
        assertThat(empty.get("by_checkpoint")).isEmpty();
        String unnamed = pair(project, text(project, "p0", "x", null), text(project, "p0", "y", null), Map.of());
        String v1First = checkpointPair(project, "p1", "m/v1");
        checkpointPair(project, "p2", "m/v1");
        checkpointPair(project, "p3", "m/v1");
        checkpointPair(project, "p4", "m/v2");
        checkpointPair(project, "p5", "m/v2");
        String labeler = createLabeler("summarised");
        assertThat(servedInOrder(project, labeler, 2)).containsExactly(unnamed, v1First);
        assertThat(api.post("/v1/projects/" + project + "/pairs/retire", ADMIN,
                ApiClient.json(Map.of("checkpoints", List.of("m/v1")))).json().get("retired").asInt()).isEqualTo(2);

        JsonNode summary = api.get("/v1/projects/" + project + "/pairs/summary", SERVICE).json();
        assertThat(summary.get("open").asLong()).isEqualTo(2);
        JsonNode rows = summary.get("by_checkpoint");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).get("checkpoint").isNull()).isTrue();
        assertThat(counts(rows.get(0))).containsExactly(0L, 1L, 0L);
        assertThat(rows.get(1).get("checkpoint").asString()).isEqualTo("m/v1");
        assertThat(counts(rows.get(1))).containsExactly(0L, 1L, 2L);
        assertThat(rows.get(2).get("checkpoint").asString()).isEqualTo("m/v2");
        assertThat(counts(rows.get(2))).containsExactly(2L, 0L, 0L);
        assertThat(java.time.Instant.parse(rows.get(1).get("first_created_at").asString()))
                .isAfter(java.time.Instant.parse(rows.get(0).get("first_created_at").asString()));

        JsonNode stats = api.get("/v1/projects/" + project + "/stats", ADMIN).json();
        assertThat(stats.get("pairs_retired").asLong()).isEqualTo(2);
        assertThat(stats.get("pairs").get("unjudged").asLong()).as("retired pairs are not open").isEqualTo(2);
        assertThat(stats.get("pairs").has("retired")).isFalse();
    }

    @Test
    void theComparisonsFeedSaysWhichRuleServedEachPair() {
        String project = project(1, Map.of("mode", "uncertainty", "random_share", 0));
        String scored = scoredPair(project, "p1", 0.6);
        String labeler = createLabeler("fed");
        assertThat(servedInOrder(project, labeler)).containsExactly(scored);
        JsonNode feed = api.get("/v1/projects/" + project + "/comparisons", SERVICE).json().get("data");
        assertThat(feed.get(0).get("served_by").asString()).isEqualTo("uncertainty");

        String fifo = project(1, null);
        scoredPair(fifo, "p1", 0.6);
        servedInOrder(fifo, labeler);
        assertThat(api.get("/v1/projects/" + fifo + "/comparisons", SERVICE).json().get("data").get(0)
                .get("served_by").asString()).isEqualTo("fifo");

        String random = project(1, Map.of("mode", "uncertainty", "random_share", 1));
        scoredPair(random, "p1", 0.6);
        servedInOrder(random, labeler);
        assertThat(api.get("/v1/projects/" + random + "/comparisons", SERVICE).json().get("data").get(0)
                .get("served_by").asString()).isEqualTo("random");
    }

    /** A text project with {@code judgmentsPerPair}, and a selection when not null. */
    private String project(int judgmentsPerPair, Map<String, Object> selection) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("name", "selection", "modality", "text",
                "judgments_per_pair", judgmentsPerPair));
        if (selection != null) {
            body.put("selection", selection);
        }
        ApiClient.Response response = api.post("/v1/projects", ADMIN, ApiClient.json(body));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    /** A pair for a prompt of its own, with P(a ≻ b) = {@code pA} (unscored when null). */
    private String scoredPair(String project, String prompt, Double pA) {
        return pair(project, text(project, prompt, "one", null), text(project, prompt, "two", null),
                pA == null ? Map.of() : Map.of("p_a", pA, "scored_by", "rm/v1"));
    }

    private String checkpointPair(String project, String prompt, String checkpoint) {
        return pair(project, text(project, prompt, "new", checkpoint), text(project, prompt, "old", "m/v0"), Map.of());
    }

    private JsonNode pair(String id) {
        ApiClient.Response response = api.get("/v1/pairs/" + id, SERVICE);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static Map<String, Object> score(String pair, double pA) {
        return Map.of("pair", pair, "p_a", pA);
    }

    private static List<Long> counts(JsonNode row) {
        return List.of(row.get("open").asLong(), row.get("resolved").asLong(), row.get("retired").asLong());
    }
}
