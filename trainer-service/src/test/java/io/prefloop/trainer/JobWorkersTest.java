package io.prefloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.worker.JobContext;
import io.prefloop.trainer.worker.JobRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The queue and its workers, with a stand-in runner for {@code pretrain} (the real runners are
 * tested with the models): claim, progress events, success, cancellation, failure with a reason,
 * and resumption of a job whose worker died.
 */
@TestPropertySource(properties = {
        "prefloop.auth.admin-key=" + JobWorkersTest.ADMIN,
        "prefloop.trainer.workers.count=1",
        "prefloop.trainer.workers.lease=2s",
        "prefloop.trainer.workers.heartbeat=100ms",
        "prefloop.trainer.workers.poll=100ms"})
@Import(JobWorkersTest.SteppingRunner.class)
class JobWorkersTest extends TrainerIntegrationTest {

    static final String ADMIN = "workers-admin";
    static final int FAILING_STEPS = 7;

    @TestConfiguration
    static class SteppingRunner {
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE) // before the real pretraining runner
        JobRunner stepping() {
            return new JobRunner() {
                @Override
                public boolean supports(Method method) {
                    return method == Method.PRETRAIN;
                }

                @Override
                public void run(JobView job, JobContext context) throws Exception {
                    int steps = job.progress().stepsTotal();
                    for (int step = job.progress().stepsDone() + 1; step <= steps; step++) {
                        if (steps == FAILING_STEPS && step == 3) {
                            throw new IllegalStateException("the data ran out at step 3");
                        }
                        Thread.sleep(40);
                        context.step(step, Map.of("loss", 1.0 / step));
                    }
                }
            };
        }
    }

    @Test
    void aJobRunsToSuccessWithPerStepMetrics() {
        String id = create("pretrain", 5);
        JsonNode job = awaitStatus(id, "succeeded");
        assertThat(job.get("progress").get("steps_done").asInt()).isEqualTo(5);
        JsonNode events = api.get("/v1/jobs/" + id + "/events", ADMIN).json().get("data");
        long metrics = 0;
        for (JsonNode e : events) {
            if (e.get("type").asString().equals("metrics")) {
                metrics++;
                assertThat(e.get("data").get("loss").isNumber()).isTrue();
            }
        }
        assertThat(metrics).isEqualTo(5);
        assertThat(events.get(events.size() - 1).get("message").asString()).isEqualTo("Job succeeded");
    }

    @Test
    void aJobWhoseRunnerFailsIsFailedWithTheReason() {
        String id = create("pretrain", FAILING_STEPS);
        JsonNode job = awaitStatus(id, "failed");
        assertThat(job.get("error").asString()).isEqualTo("IllegalStateException: the data ran out at step 3");
    }

    @Test
    void aRunningJobStopsWhenCancelled() {
        String id = create("pretrain", 1000);
        awaitStatus(id, "running");
        assertThat(api.post("/v1/jobs/" + id + "/cancel", ADMIN, "").json().get("cancel_requested").asBoolean()).isTrue();
        JsonNode job = awaitStatus(id, "cancelled");
        assertThat(job.get("progress").get("steps_done").asInt()).isLessThan(1000);
    }

    @Test
    void aJobWhoseWorkerDiedIsResumedByAnother() {
        String id = create("pretrain", 1000);
        // take the job before the live worker does, as a worker that then dies would
        jdbc.sql("""
                update jobs set status = 'running', lease_owner = 'dead-worker', attempts = 1, steps_done = 990,
                       lease_expires_at = now() + interval '1 second', started_at = now()
                where id = ?::uuid""").param(id).update();
        JsonNode job = awaitStatus(id, "succeeded");
        assertThat(job.get("progress").get("steps_done").asInt()).isEqualTo(1000);
        JsonNode events = api.get("/v1/jobs/" + id + "/events?limit=1000", ADMIN).json().get("data");
        assertThat(events.findValuesAsString("message")).anyMatch(m -> m.contains("resumed the job (attempt"));
        // (if the live worker claimed the job before the test took it over, it ran a few steps, then
        // lost the lease at its first heartbeat: count only what ran after the resumption)
        long metrics = 0;
        boolean resumed = false;
        for (JsonNode e : events) {
            resumed |= e.get("message").asString().contains("resumed the job");
            metrics += resumed && e.get("type").asString().equals("metrics") ? 1 : 0;
        }
        assertThat(metrics).as("only the 10 steps after the last recorded one are run again").isEqualTo(10);
    }

    private String create(String method, int steps) {
        ApiClient.Response created = api.post("/v1/jobs", ADMIN,
                "{\"method\":\"" + method + "\",\"model\":\"shapes\",\"hyperparameters\":{\"steps\":" + steps + "}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private JsonNode awaitStatus(String id, String status) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        JsonNode job = null;
        while (Instant.now().isBefore(deadline)) {
            job = api.get("/v1/jobs/" + id, ADMIN).json();
            if (job.get("status").asString().equals(status)) {
                return job;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("job " + id + " never became " + status + ": " + job);
    }
}
