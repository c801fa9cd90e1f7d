package io.prefloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The trainer process is killed with SIGKILL in the middle of a DPO job, after it saved an
 * intermediate checkpoint. A second trainer process on the same database and checkpoint store
 * takes the job over when the dead worker's lease runs out, resumes from the newest intermediate
 * checkpoint rather than from step 1, finishes, and publishes exactly one checkpoint.
 */
class WorkerCrashTest {

    private static final String ADMIN = "crash-admin";
    private static final String SERVICE = "crash-service";
    private static final int STEPS = 400;
    private static final int EVERY = 10;
    private static final Pattern RESUMED = Pattern.compile("Resumed from the intermediate checkpoint after step (\\d+)");
    private static final Pattern SAVED = Pattern.compile("Intermediate checkpoint saved after step (\\d+)");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private final List<ServiceProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (ServiceProcess p : processes) {
            p.close();
        }
    }

    @Test
    void aKilledWorkersJobResumesFromItsLastIntermediateCheckpointAndPublishesOnce() throws Exception {
        int feedbackPort = ServiceProcess.freePort();
        ServiceProcess feedback = start(ServiceProcess.startJar("feedback-service",
                Files.createDirectories(dir.resolve("feedback")), feedbackPort,
                Map.of("PREFLOOP_ADMIN_KEY", ADMIN, "PREFLOOP_SERVICE_KEY", SERVICE)));
        String project = judgedTextProject(feedback.api());
        Path store = dir.resolve("store");
        TrainerTestSupport.copyCommitted("replies-base", "v0001", store, "replies-crash");

        Map<String, String> env = new HashMap<>(Map.of("PREFLOOP_ADMIN_KEY", ADMIN, "PREFLOOP_SERVICE_KEY", SERVICE,
                "PREFLOOP_CHECKPOINTS_ROOT", store.toString(),
                "PREFLOOP_TRAINER_FEEDBACK_URL", "http://localhost:" + feedbackPort,
                "PREFLOOP_TRAINER_WORKERS_LEASE", "3s", "PREFLOOP_TRAINER_WORKERS_HEARTBEAT", "300ms",
                "PREFLOOP_TRAINER_WORKERS_POLL", "200ms"));
        env.put("OMP_NUM_THREADS", "1");
        env.put("JAVA_TOOL_OPTIONS", "-Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1");
        Path trainerDir = Files.createDirectories(dir.resolve("trainer"));
        ServiceProcess first = start(ServiceProcess.start(TrainerApplication.class, trainerDir, ServiceProcess.freePort(), env));
        ApiClient api = first.api();
        assertThat(api.post("/v1/models/replies-crash/promote", ADMIN, "{\"version\":\"v0001\"}").status()).isEqualTo(200);
        String job = api.post("/v1/jobs", SERVICE, """
                {"method":"dpo","model":"replies-crash","project":"%s","seed":11,
                 "hyperparameters":{"steps":%d,"checkpoint_every":%d,"batch_size":2,"heldout_fraction":0}}"""
                .formatted(project, STEPS, EVERY)).json().get("id").asString();

        int savedBeforeKill = awaitSnapshot(api, job);
        first.kill();
        processes.remove(first);

        ServiceProcess second = start(ServiceProcess.start(TrainerApplication.class, trainerDir, ServiceProcess.freePort(), env));
        JsonNode finished = TrainerTestSupport.awaitJob(second.api(), ADMIN, job);
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
        assertThat(finished.get("progress").get("steps_done").asInt()).isEqualTo(STEPS);

        List<JsonNode> events = events(second.api(), job);
        List<String> messages = events.stream().map(e -> e.get("message").asString()).toList();
        int takeOver = messages.stream().filter(m -> m.contains("resumed the job (attempt 2)")).findFirst()
                .map(messages::indexOf).orElseThrow(() -> new AssertionError(messages));
        int stepsReachedBeforeKill = highestStep(events.subList(0, takeOver));
        assertThat(stepsReachedBeforeKill).as("killed mid-job").isLessThan(STEPS);
        int resumedAfter = messages.stream().map(RESUMED::matcher).filter(Matcher::find)
                .map(m -> Integer.parseInt(m.group(1))).findFirst().orElseThrow(() -> new AssertionError(messages));
        assertThat(resumedAfter).as("resumed from the newest snapshot the dead worker left")
                .isGreaterThanOrEqualTo(savedBeforeKill).isLessThan(STEPS).isLessThanOrEqualTo(stepsReachedBeforeKill);
        assertThat(resumedAfter % EVERY).isZero();
        // after the restart the steps continue from the snapshot: the first metrics event of attempt 2 is step resumedAfter+1
        int resumeIndex = messages.indexOf(messages.stream().filter(m -> RESUMED.matcher(m).find()).findFirst().get());
        JsonNode firstAfter = events.subList(resumeIndex, events.size()).stream()
                .filter(e -> e.get("type").asString().equals("metrics")).findFirst().orElseThrow();
        assertThat(firstAfter.get("data").get("step").asInt()).isEqualTo(resumedAfter + 1);

        JsonNode checkpoints = second.api().get("/v1/models/replies-crash/checkpoints", ADMIN).json();
        assertThat(checkpoints.findValuesAsString("version")).containsExactly("v0001", "v0002");
        assertThat(checkpoints.get(1).get("job_id").asString()).isEqualTo(job);
        assertThat(finished.get("result").get("model").asString()).isEqualTo("replies-crash");
        assertThat(finished.get("result").get("version").asString()).isEqualTo("v0002");
        try (Stream<Path> versions = Files.list(store.resolve("replies-crash"))) {
            assertThat(versions.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted())
                    .containsExactly("v0001", "v0002");
        }
        assertThat(store.resolve(".jobs").resolve(job)).as("the job's intermediate checkpoints are cleaned up")
                .doesNotExist();
    }

    private ServiceProcess start(ServiceProcess process) {
        processes.add(process);
        return process;
    }

    private String judgedTextProject(ApiClient labeling) {
        String project = TrainerTestSupport.textProject(labeling, ADMIN, SERVICE, "crash", 6, i -> "Question " + i + "?",
                i -> List.of("Certainly. The answer is " + i + ".", "dunno lol"));
        String labeler = labeling.post("/v1/labelers", ADMIN, "{\"name\":\"kim\"}").json().get("key").asString();
        TrainerTestSupport.judgeLeft(labeling, project, labeler, 6);
        return project;
    }

    /** Waits for the first intermediate checkpoint; returns its step. */
    private static int awaitSnapshot(ApiClient api, String job) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            for (JsonNode e : events(api, job)) {
                Matcher m = SAVED.matcher(e.get("message").asString());
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no intermediate checkpoint was saved");
    }

    private static int highestStep(List<JsonNode> events) {
        return events.stream().filter(e -> e.get("type").asString().equals("metrics"))
                .mapToInt(e -> e.get("data").get("step").asInt()).max().orElse(0);
    }

    private static List<JsonNode> events(ApiClient api, String job) {
        List<JsonNode> all = new ArrayList<>();
        String after = null;
        do {
            JsonNode page = api.get("/v1/jobs/" + job + "/events?limit=1000" + (after == null ? "" : "&after=" + after),
                    ADMIN).json();
            page.get("data").forEach(all::add);
            after = page.get("has_more").asBoolean() ? page.get("next_cursor").asString() : null;
        } while (after != null);
        return all;
    }
}
