package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Undo of a labeler's last judgment ({@code DELETE /v1/judgments/{id}}) and the labeler's progress. */
class UndoTest extends FeedbackIntegrationTest {

    @Test
    void undoTakesTheVoteBackAndLeasesThePairAgainWithTheSameSides() {
        String project = textProjectWithPairs(1, 2);
        String ann = createLabeler("undoing ann");
        JsonNode task = nextTask(project, ann);
        String pair = task.get("pair_id").asString();
        ApiClient.Response judged = judge(task, ann, "a");
        assertThat(judged.status()).isEqualTo(201);
        assertThat(votes(pair)).isEqualTo(Map.of("a", 1, "b", 0, "skips", 0));

        ApiClient.Response undone = undo(judged.json().get("id").asString(), ann);
        assertThat(undone.status()).as(undone.body()).isEqualTo(200);
        assertThat(undone.json().get("judgment").get("choice").asString()).isEqualTo("a");
        JsonNode again = undone.json().get("task");
        assertThat(again.get("pair_id").asString()).isEqualTo(pair);
        assertThat(again.get("left").get("choice").asString()).isEqualTo(task.get("left").get("choice").asString());
        assertThat(votes(pair)).isEqualTo(Map.of("a", 0, "b", 0, "skips", 0));
        assertThat(count("select count(*) from judgments where pair_id = ?::uuid", pair)).isZero();
        assertThat(count("select count(*) from tasks where pair_id = ?::uuid and state = 'leased' and expires_at > now()",
                pair)).isEqualTo(1);
        JsonNode held = api.get("/v1/projects/" + project + "/tasks", ann).json().get("data");
        assertThat(held).hasSize(1);
        assertThat(held.get(0).get("pair_id").asString()).as("the pair is ann's to judge again").isEqualTo(pair);

        ApiClient.Response rejudged = judge(again, ann, "b");
        assertThat(rejudged.status()).as(rejudged.body()).isEqualTo(201);
        assertThat(votes(pair)).isEqualTo(Map.of("a", 0, "b", 1, "skips", 0));
    }

    @Test
    void theFeedHoldsOnlyTheVotesThatStayed() {
        String project = textProjectWithPairs(1, 2);
        String ann = createLabeler("ann");
        String bob = createLabeler("bob");
        ApiClient.Response first = judge(nextTask(project, ann), ann, "a");
        JsonNode again = undo(first.json().get("id").asString(), ann).json().get("task");
        assertThat(feed(project).get("data")).as("an open pair is not in the feed").isEmpty();
        assertThat(judge(again, ann, "b").status()).isEqualTo(201);
        ApiClient.Response bobs = judge(nextTask(project, bob), bob, "b");
        assertThat(bobs.json().get("pair_status").asString()).isEqualTo("resolved");

        JsonNode data = feed(project).get("data");
        assertThat(data).hasSize(1);
        assertThat(data.get(0).get("outcome").asString()).isEqualTo("b");
        assertThat(data.get(0).get("votes").get("a").asInt()).isZero();
        assertThat(data.get(0).get("votes").get("b").asInt()).isEqualTo(2);
        assertThat(data.get(0).get("agreement").asDouble()).isEqualTo(1.0);
    }

    @Test
    void aResolvedPairsJudgmentsAreFinal409AndTheFeedDoesNotChange() {
        String project = textProjectWithPairs(1, 1);
        String ann = createLabeler("too late ann");
        ApiClient.Response judged = judge(nextTask(project, ann), ann, "a");
        assertThat(judged.json().get("pair_status").asString()).isEqualTo("resolved");
        String before = feed(project).get("data").toString();

        ApiClient.Response refused = undo(judged.json().get("id").asString(), ann);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("title").asString()).isEqualTo("Pair resolved");
        assertThat(votes(judged.json().get("pair_id").asString())).isEqualTo(Map.of("a", 1, "b", 0, "skips", 0));
        assertThat(feed(project).get("data").toString()).isEqualTo(before);
    }

    @Test
    void onlyTheLabelerWhoJudgedMayUndo403AndUnknownIs404() {
        String project = textProjectWithPairs(1, 2);
        String ann = createLabeler("ann");
        String bob = createLabeler("bob");
        ApiClient.Response judged = judge(nextTask(project, ann), ann, "a");
        String id = judged.json().get("id").asString();

        ApiClient.Response stolen = undo(id, bob);
        assertThat(stolen.status()).isEqualTo(403);
        assertThat(stolen.contentType()).startsWith("application/problem+json");
        assertThat(undo(id, ADMIN).status()).as("undo is the labeler's own").isEqualTo(403);
        ApiClient.Response unknown = undo("00000000-0000-4000-8000-000000000000", ann);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(undo("not-a-uuid", ann).status()).isEqualTo(400);
        assertThat(count("select count(*) from judgments where id = ?::uuid", id)).isEqualTo(1);

        assertThat(undo(id, ann).status()).isEqualTo(200);
        assertThat(undo(id, ann).status()).as("a second undo of the same judgment").isEqualTo(404);
    }

    @Test
    void anUndoneJudgmentsIdempotencyKeyIsClearedSoTheNextJudgmentCountsOnce() {
        String project = textProjectWithPairs(1, 2);
        String ann = createLabeler("retrying ann");
        JsonNode task = nextTask(project, ann);
        String pair = task.get("pair_id").asString();
        String body = ApiClient.json(Map.of("choice", "a", "elapsed_ms", 900));
        Map<String, String> key = Map.of("Idempotency-Key", "press-1");
        ApiClient.Response first = api.post("/v1/pairs/" + pair + "/judgments", ann, body, key);
        assertThat(first.status()).isEqualTo(201);
        assertThat(undo(first.json().get("id").asString(), ann).status()).isEqualTo(200);

        ApiClient.Response fresh = api.post("/v1/pairs/" + pair + "/judgments", ann, body, key);
        assertThat(fresh.status()).isEqualTo(201);
        assertThat(fresh.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(fresh.json().get("id").asString()).isNotEqualTo(first.json().get("id").asString());
        ApiClient.Response retry = api.post("/v1/pairs/" + pair + "/judgments", ann, body, key);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(votes(pair)).isEqualTo(Map.of("a", 1, "b", 0, "skips", 0));
        assertThat(count("select count(*) from judgments where pair_id = ?::uuid", pair)).isEqualTo(1);
    }

    @Test
    void anUndoneSkipIsUncountedAndThePairComesBack() {
        String project = textProjectWithPairs(1, 1);
        String ann = createLabeler("skipping ann");
        JsonNode task = nextTask(project, ann);
        String pair = task.get("pair_id").asString();
        ApiClient.Response skipped = judge(task, ann, "skip");
        assertThat(votes(pair)).isEqualTo(Map.of("a", 0, "b", 0, "skips", 1));
        assertThat(nextTask(project, ann)).isNull();

        ApiClient.Response undone = undo(skipped.json().get("id").asString(), ann);
        assertThat(undone.status()).isEqualTo(200);
        assertThat(votes(pair)).isEqualTo(Map.of("a", 0, "b", 0, "skips", 0));
        assertThat(undone.json().get("task").get("pair_id").asString()).isEqualTo(pair);
    }

    @Test
    void anUndoneSkipWhoseSlotWentToSomeoneElseComesBackWithoutATask() {
        String project = textProjectWithPairs(1, 1);
        String ann = createLabeler("ann");
        String bob = createLabeler("bob");
        ApiClient.Response skipped = judge(nextTask(project, ann), ann, "skip");
        assertThat(nextTask(project, bob)).as("ann's skip handed the slot to bob").isNotNull();

        ApiClient.Response undone = undo(skipped.json().get("id").asString(), ann);
        assertThat(undone.status()).isEqualTo(200);
        assertThat(undone.json().get("task").isNull()).isTrue();
        assertThat(count("select count(*) from tasks where project_id = ?::uuid and state = 'leased'", project))
                .as("only bob's lease").isEqualTo(1);
    }

    @Test
    void progressCountsTodaysJudgmentsAndWhatIsLeft() {
        String project = textProjectWithPairs(3, 2);
        String ann = createLabeler("progressing ann");
        judge(nextTask(project, ann), ann, "a");
        judge(nextTask(project, ann), ann, "skip");

        JsonNode progress = api.get("/v1/projects/" + project + "/progress", ann).json();
        assertThat(progress.get("judged_since").asLong()).isEqualTo(1);
        assertThat(progress.get("skipped_since").asLong()).isEqualTo(1);
        assertThat(progress.get("judged_total").asLong()).isEqualTo(1);
        assertThat(progress.get("left_for_you").asLong()).as("three pairs less the judged and the skipped one")
                .isEqualTo(1);
        assertThat(progress.get("judgments_left").asLong()).isEqualTo(5);
        assertThat(progress.get("pairs_open").asLong()).isEqualTo(3);

        JsonNode tomorrow = api.get("/v1/projects/" + project + "/progress?since=2999-01-01T00:00:00Z", ann).json();
        assertThat(tomorrow.get("judged_since").asLong()).isZero();
        assertThat(api.get("/v1/projects/" + project + "/progress?since=yesterday", ann).status()).isEqualTo(400);
        assertThat(api.get("/v1/projects/" + project + "/progress", ADMIN).status()).isEqualTo(403);
    }

    private ApiClient.Response undo(String judgment, String key) {
        return api.send("DELETE", "/v1/judgments/" + judgment, key, null, null);
    }

    private JsonNode feed(String project) {
        return api.get("/v1/projects/" + project + "/comparisons", SERVICE).json();
    }

    private Map<String, Integer> votes(String pair) {
        return jdbc.sql("select votes_a, votes_b, skips from pairs where id = ?::uuid").param(pair)
                .query((rs, n) -> Map.of("a", rs.getInt(1), "b", rs.getInt(2), "skips", rs.getInt(3))).single();
    }

    private long count(String sql, String arg) {
        return jdbc.sql(sql).param(arg).query(Long.class).single();
    }
}
