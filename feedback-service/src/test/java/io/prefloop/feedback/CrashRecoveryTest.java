package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.ServiceProcess;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The service is killed with SIGKILL while labelers are judging, then started again on the same
 * data directory. Every acknowledged judgment must still be there, and retrying the requests whose
 * answer was lost (same Idempotency-Key) must neither fail nor count a judgment twice.
 */
class CrashRecoveryTest {

    private static final String ADMIN = "crash-admin-key";

    @TempDir
    Path dir;

    private ServiceProcess service;

    @AfterEach
    void stop() throws InterruptedException {
        if (service != null) {
            service.close();
        }
    }

    record Sent(String pair, String key, String choice) {}

    @Test
    void aKilledServiceLosesNoAcknowledgedJudgmentAndRetriesDoNotDuplicate() throws Exception {
        int port = ServiceProcess.freePort();
        service = ServiceProcess.start(FeedbackApplication.class, dir, port, Map.of("PREFLOOP_ADMIN_KEY", ADMIN));
        ApiClient api = service.api();
        String project = api.post("/v1/projects", ADMIN, "{\"name\":\"crash\",\"modality\":\"text\",\"judgments_per_pair\":2}")
                .json().get("id").asString();
        for (int i = 0; i < 150; i++) {
            for (String text : List.of("one", "two")) {
                api.post("/v1/projects/" + project + "/candidates", ADMIN,
                        "{\"prompt\":\"p" + i + "\",\"text\":\"" + text + "\"}");
            }
        }
        assertThat(api.post("/v1/projects/" + project + "/pairs/bulk", ADMIN, "{}").json().get("created").asInt())
                .isEqualTo(150);
        List<String> labelers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            labelers.add(api.post("/v1/labelers", ADMIN, "{\"name\":\"l" + i + "\"}").json().get("key").asString());
        }

        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // judgment id -> labeler key
        Map<Sent, String> unanswered = new ConcurrentHashMap<>(); // sent, answer lost -> labeler key
        AtomicInteger count = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(labelers.size());
        for (String key : labelers) {
            pool.submit(() -> {
                for (int n = 0; ; n++) {
                    JsonNode task;
                    try {
                        ApiClient.Response next = api.get("/v1/projects/" + project + "/tasks/next", key);
                        if (next.status() != 200) {
                            return;
                        }
                        task = next.json();
                    } catch (RuntimeException e) {
                        return; // the service is gone
                    }
                    Sent sent = new Sent(task.get("pair_id").asString(), key + "-" + n, n % 2 == 0 ? "a" : "b");
                    try {
                        ApiClient.Response judged = api.post("/v1/pairs/" + sent.pair() + "/judgments", key,
                                "{\"choice\":\"" + sent.choice() + "\"}", Map.of("Idempotency-Key", sent.key()));
                        if (judged.status() == 201) {
                            acknowledged.put(judged.json().get("id").asString(), key);
                            count.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        unanswered.put(sent, key);
                        return;
                    }
                }
            });
        }
        Instant until = Instant.now().plusSeconds(60);
        while (count.get() < 100 && Instant.now().isBefore(until)) {
            Thread.sleep(20);
        }
        service.kill(); // SIGKILL, mid-load
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(100);

        service = ServiceProcess.start(FeedbackApplication.class, dir, port, Map.of("PREFLOOP_ADMIN_KEY", ADMIN));
        assertThat(service.log())
                .as("the killed service's PostgreSQL was left running and had to be stopped")
                .contains("Stopping an orphaned PostgreSQL");
        for (Map.Entry<String, String> judgment : acknowledged.entrySet()) {
            ApiClient.Response mine = api.get("/v1/projects/" + project + "/judgments?limit=1000", judgment.getValue());
            assertThat(mine.body()).as("acknowledged judgment " + judgment.getKey()).contains(judgment.getKey());
        }
        for (Map.Entry<Sent, String> retry : unanswered.entrySet()) {
            Sent sent = retry.getKey();
            ApiClient.Response again = api.post("/v1/pairs/" + sent.pair() + "/judgments", retry.getValue(),
                    "{\"choice\":\"" + sent.choice() + "\"}", Map.of("Idempotency-Key", sent.key()));
            assertThat(again.status()).as(again.body()).isIn(201, 409);
            if (again.status() == 409) {
                // the lost request never committed and its lease went to someone else: nothing recorded
                assertThat(again.body()).contains("Lease expired");
            }
        }
        JsonNode stats = api.get("/v1/projects/" + project + "/stats", ADMIN).json();
        long judgments = stats.get("judgments").asLong();
        assertThat(judgments).isBetween((long) acknowledged.size(), (long) acknowledged.size() + unanswered.size());
        // every vote is a stored judgment and no pair has more than it asked for
        JsonNode feed = api.get("/v1/projects/" + project + "/comparisons?limit=1000", ADMIN).json();
        long resolvedVotes = 0;
        for (JsonNode c : feed.get("data")) {
            JsonNode v = c.get("votes");
            resolvedVotes += v.get("a").asInt() + v.get("b").asInt();
            assertThat(v.get("a").asInt() + v.get("b").asInt()).isEqualTo(2);
        }
        assertThat(resolvedVotes).isLessThanOrEqualTo(judgments);
    }
}
