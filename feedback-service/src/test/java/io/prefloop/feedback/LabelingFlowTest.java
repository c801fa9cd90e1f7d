package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The whole labeling flow over HTTP: project, candidates, pairs, tasks, judgments, feed. */
class LabelingFlowTest extends FeedbackIntegrationTest {

    @org.springframework.beans.factory.annotation.Autowired
    javax.sql.DataSource dataSource;

    @Test
    void threeLabelersResolveAPairByMajorityAndTheFeedShowsIt() {
        String project = createProject("text", 3, true);
        String a = addText(project, "Say hello", "Hello!");
        String b = addText(project, "Say hello", "Go away.");
        String pair = pair(project, a, b);
        String[] labelers = {createLabeler("ann"), createLabeler("bob"), createLabeler("cy")};
        String[] choices = {"a", "a", "b"};

        for (int i = 0; i < 3; i++) {
            JsonNode task = nextTask(project, labelers[i]);
            assertThat(task.get("pair_id").asString()).isEqualTo(pair);
            assertThat(task.get("prompt").asString()).isEqualTo("Say hello");
            assertThat(task.get("left").get("choice").asString()).isNotEqualTo(task.get("right").get("choice").asString());
            ApiClient.Response judged = judge(task, labelers[i], choices[i]);
            assertThat(judged.status()).as(judged.body()).isEqualTo(201);
            assertThat(judged.json().get("pair_status").asString()).isEqualTo(i < 2 ? "open" : "resolved");
            assertThat(nextTask(project, labelers[i])).as("a labeler never gets a pair twice").isNull();
        }

        JsonNode feed = api.get("/v1/projects/" + project + "/comparisons", SERVICE).json();
        assertThat(feed.get("data")).hasSize(1);
        JsonNode comparison = feed.get("data").get(0);
        assertThat(comparison.get("outcome").asString()).isEqualTo("a");
        assertThat(comparison.get("chosen").get("text").asString()).isEqualTo("Hello!");
        assertThat(comparison.get("rejected").get("text").asString()).isEqualTo("Go away.");
        assertThat(comparison.get("votes").get("a").asInt()).isEqualTo(2);
        assertThat(comparison.get("agreement").asDouble()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(comparison.get("position").asLong()).isEqualTo(1);

        Integer stored = jdbc.sql("select count(*) from judgments where pair_id = ?::uuid").param(pair)
                .query(Integer.class).single();
        assertThat(stored).isEqualTo(3);
    }

    @Test
    void judgingWithNextTrueAnswersWithTheNextTask_oneRequestPerJudgment() {
        String project = textProjectWithPairs(3, 1);
        String labeler = createLabeler("quick");
        JsonNode task = nextTask(project, labeler);
        java.util.Set<String> judged = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
            String key = "quick-" + i;
            ApiClient.Response r = api.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments?next=true", labeler,
                    ApiClient.json(Map.of("choice", "a", "task_id", task.get("task_id").asString())),
                    Map.of("Idempotency-Key", key));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            assertThat(r.json().get("judgment").get("pair_id").asString()).isEqualTo(task.get("pair_id").asString());
            judged.add(task.get("pair_id").asString());
            // a retry of the same request replays the judgment and hands back the same next task
            ApiClient.Response retry = api.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments?next=true",
                    labeler, ApiClient.json(Map.of("choice", "a", "task_id", task.get("task_id").asString())),
                    Map.of("Idempotency-Key", key));
            assertThat(retry.json().get("judgment").get("id").asString())
                    .isEqualTo(r.json().get("judgment").get("id").asString());
            assertThat(retry.json().get("next_task")).isEqualTo(r.json().get("next_task"));
            task = r.json().get("next_task");
            if (i < 2) {
                assertThat(task.get("pair_id").asString()).isNotIn(judged);
            } else {
                assertThat(task.isNull()).as("nothing left: next_task is null").isTrue();
            }
        }
        Integer stored = jdbc.sql("select count(*) from judgments j join pairs p on p.id = j.pair_id"
                + " where p.project_id = ?::uuid").param(project).query(Integer.class).single();
        assertThat(stored).as("one judgment per pair, none from the retries").isEqualTo(3);
        ApiClient.Response bad = api.post("/v1/pairs/" + judged.iterator().next() + "/judgments?next=maybe", labeler,
                ApiClient.json(Map.of("choice", "a")));
        assertThat(bad.status()).as(bad.body()).isEqualTo(400);
        assertThat(bad.body()).contains("next");
    }

    @Test
    void theFeedPagesWithACursorAndSkipsNothing() {
        String project = textProjectWithPairs(7, 1);
        String labeler = createLabeler("pager");
        for (int i = 0; i < 7; i++) {
            assertThat(judge(nextTask(project, labeler), labeler, i % 2 == 0 ? "a" : "b").status()).isEqualTo(201);
        }
        JsonNode first = api.get("/v1/projects/" + project + "/comparisons?limit=3", SERVICE).json();
        assertThat(first.get("data")).hasSize(3);
        String cursor = first.get("next_cursor").asString();
        JsonNode second = api.get("/v1/projects/" + project + "/comparisons?limit=3&after=" + cursor, SERVICE).json();
        JsonNode third = api.get("/v1/projects/" + project + "/comparisons?limit=3&after="
                + second.get("next_cursor").asString(), SERVICE).json();
        assertThat(second.get("data")).hasSize(3);
        assertThat(third.get("data")).hasSize(1);
        assertThat(third.get("next_cursor").isNull()).isTrue();
        assertThat(third.get("data").get(0).get("position").asLong()).isEqualTo(7);
    }

    /** Found by the closed loop: the feed held one pooled connection per read until the pool ran dry. */
    @Test
    void readingTheFeedGivesItsConnectionsBack() throws Exception {
        String project = textProjectWithPairs(2, 1);
        String labeler = createLabeler("reader");
        judge(nextTask(project, labeler), labeler, "a");
        com.zaxxer.hikari.HikariPoolMXBean pool = dataSource.unwrap(com.zaxxer.hikari.HikariDataSource.class)
                .getHikariPoolMXBean();
        for (int i = 0; i < 5; i++) {
            assertThat(api.get("/v1/projects/" + project + "/comparisons", SERVICE).json().get("data")).hasSize(1);
        }
        assertThat(pool.getActiveConnections()).as("connections still held after the reads").isZero();
    }

    @Test
    void skipsFreeTheSlotAndTiesAreRefusedWhereNotAllowed() {
        String project = createProject("text", 1, false);
        pair(project, addText(project, "p", "x"), addText(project, "p", "y"));
        String ann = createLabeler("ann");
        String bob = createLabeler("bob");
        JsonNode task = nextTask(project, ann);
        assertThat(nextTask(project, bob)).as("the only slot is leased to ann").isNull();

        ApiClient.Response tie = judge(task, ann, "tie");
        assertThat(tie.status()).isEqualTo(400);
        assertThat(tie.body()).contains("choice");
        assertThat(judge(task, ann, "skip").status()).isEqualTo(201);

        JsonNode bobs = nextTask(project, bob);
        assertThat(bobs).as("ann's skip gave the slot back").isNotNull();
        ApiClient.Response judged = judge(bobs, bob, "both_bad");
        assertThat(judged.json().get("pair_outcome").asString()).isEqualTo("both_bad");
        JsonNode feed = api.get("/v1/projects/" + project + "/comparisons", SERVICE).json().get("data").get(0);
        assertThat(feed.get("chosen").isNull()).isTrue();
    }

    @Test
    void imagesAreStoredOnceAndServedAtAStableUrl() {
        String project = createProject("image", 1, true);
        byte[] red = png(16, 16, 0xff0000);
        String first = addImage(project, "a red circle", red);
        String second = addImage(project, "a red circle", red);
        JsonNode a = api.get("/v1/candidates/" + first, SERVICE).json();
        JsonNode b = api.get("/v1/candidates/" + second, SERVICE).json();
        assertThat(a.get("image_sha256").asString()).isEqualTo(b.get("image_sha256").asString());
        assertThat(a.get("params").get("cfg_scale").asDouble()).isEqualTo(2.0);
        assertThat(a.get("checkpoint").asString()).isEqualTo("shapes-base/1");
        Integer images = jdbc.sql("select count(*) from images where sha256 = ?")
                .param(a.get("image_sha256").asString()).query(Integer.class).single();
        assertThat(images).isEqualTo(1);

        String url = a.get("image_url").asString();
        ApiClient.Response image = api.get(url.substring(url.indexOf("/v1/")), null);
        assertThat(image.status()).isEqualTo(200);
        assertThat(image.contentType()).isEqualTo("image/png");
    }

    @Test
    void bulkPairingPairsCandidatesOfTheSamePromptAndCanBeRepeated() {
        String project = createProject("text", 1, true);
        for (int i = 0; i < 4; i++) {
            addText(project, "prompt one", "one " + i);
        }
        for (int i = 0; i < 3; i++) {
            addText(project, "prompt two", "two " + i);
        }
        ApiClient.Response bulk = api.post("/v1/projects/" + project + "/pairs/bulk", SERVICE, "{}");
        assertThat(bulk.status()).as(bulk.body()).isEqualTo(201);
        assertThat(bulk.json().get("created").asInt()).as("2 from prompt one, 1 from prompt two").isEqualTo(3);
        ApiClient.Response again = api.post("/v1/projects/" + project + "/pairs/bulk", SERVICE, "{}");
        assertThat(again.json().get("created").asInt()).isZero();

        String allProject = createProject("text", 1, true);
        for (int i = 0; i < 4; i++) {
            addText(allProject, "p", "t" + i);
        }
        ApiClient.Response all = api.post("/v1/projects/" + allProject + "/pairs/bulk", SERVICE,
                ApiClient.json(Map.of("pairing", "all")));
        assertThat(all.json().get("created").asInt()).isEqualTo(6);
    }
}
