package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Many labelers at once: every pair gets exactly the judgments it asks for, none more, none lost. */
class ConcurrentLabelersTest extends FeedbackIntegrationTest {

    private static final int LABELERS = 16;

    private static void pause() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long openPairs(String project) {
        return jdbc.sql("select count(*) from pairs where project_id = ?::uuid and status = 'open'").param(project)
                .query(Long.class).single();
    }
    private static final int PAIRS = 200;
    private static final int PER_PAIR = 3;

    @Test
    void sixteenLabelersJudgeTwoHundredPairsWithExactFinalCounts() throws Exception {
        String project = createProject("text", PER_PAIR, true);
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < PAIRS * 2; i++) {
            candidates.add(addText(project, "prompt " + i / 2, "reply " + i));
        }
        ApiClient.Response bulk = api.post("/v1/projects/" + project + "/pairs/bulk", SERVICE, "{}");
        assertThat(bulk.json().get("created").asInt()).isEqualTo(PAIRS);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < LABELERS; i++) {
            keys.add(createLabeler("labeler " + i));
        }

        AtomicInteger acknowledged = new AtomicInteger();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(LABELERS);
        List<Future<?>> done = new ArrayList<>();
        for (String key : keys) {
            done.add(pool.submit(() -> {
                int n = 0;
                int idlePolls = 0;
                while (true) {
                    JsonNode task = nextTask(project, key);
                    if (task == null) {
                        // 204 means nothing for this labeler right now: the last slots may be leased to
                        // others and come back with a skip, so a labeler polls while pairs are open
                        if (openPairs(project) == 0 || ++idlePolls > 400) {
                            return;
                        }
                        pause();
                        continue;
                    }
                    // one in ten is skipped, to exercise slots being handed back
                    String choice = n++ % 10 == 9 ? "skip" : (n % 3 == 0 ? "b" : "a");
                    ApiClient.Response response = api.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments",
                            key, ApiClient.json(Map.of("choice", choice, "elapsed_ms", 900,
                                    "task_id", task.get("task_id").asString())),
                            Map.of("Idempotency-Key", task.get("task_id").asString()));
                    if (response.status() == 201) {
                        if (!choice.equals("skip")) {
                            acknowledged.incrementAndGet();
                        }
                    } else {
                        unexpected.add(response.status() + " " + response.body());
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        assertThat(unexpected).isEmpty();
        assertThat(acknowledged.get()).isEqualTo(PAIRS * PER_PAIR);
        record Counts(long pairs, long resolved, long overJudged, long votes) {}
        Counts counts = jdbc.sql("""
                select count(*) pairs, count(*) filter (where status = 'resolved') resolved,
                       count(*) filter (where votes_a + votes_b + votes_tie + votes_both_bad > judgments_needed) over_judged,
                       sum(votes_a + votes_b + votes_tie + votes_both_bad) votes
                from pairs where project_id = ?::uuid""").param(project).query(Counts.class).single();
        assertThat(counts).isEqualTo(new Counts(PAIRS, PAIRS, 0, PAIRS * PER_PAIR));
        Long stored = jdbc.sql("select count(*) from judgments where project_id = ?::uuid and choice <> 'skip'")
                .param(project).query(Long.class).single();
        assertThat(stored).isEqualTo(PAIRS * PER_PAIR);

        // the feed hands out every resolved pair exactly once
        List<String> fed = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = api.get("/v1/projects/" + project + "/comparisons?limit=64"
                    + (cursor == null ? "" : "&after=" + cursor), SERVICE).json();
            page.get("data").forEach(c -> fed.add(c.get("pair_id").asString()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
        } while (cursor != null);
        assertThat(fed).hasSize(PAIRS).doesNotHaveDuplicates();
    }
}
