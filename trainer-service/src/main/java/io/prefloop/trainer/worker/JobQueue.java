package io.prefloop.trainer.worker;

import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Jobs;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The job queue in PostgreSQL. A worker claims the oldest queued job, or a running one whose lease
 * ran out because its worker died, with {@code FOR UPDATE SKIP LOCKED}, so workers in any number
 * of processes never take the same job. Every later write is conditional on still holding the
 * lease: a worker that lost its job (it was too slow to renew) cannot finish it a second time.
 */
@Component
public class JobQueue {

    private final JdbcClient jdbc;
    private final Jobs jobs;
    private final WorkerProperties properties;

    JobQueue(JdbcClient jdbc, Jobs jobs, WorkerProperties properties) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.properties = properties;
    }

    @Transactional
    public Optional<JobView> claim(String worker) {
        Optional<UUID> claimed = jdbc.sql("""
                update jobs set status = 'running', lease_owner = :worker, attempts = attempts + 1,
                       lease_expires_at = now() + make_interval(secs => :lease), started_at = coalesce(started_at, now())
                where id = (select id from jobs
                            where (status = 'queued' or (status = 'running' and lease_expires_at < now()))
                            order by created_at, id limit 1 for update skip locked)
                returning id, attempts""")
                .param("worker", worker).param("lease", properties.lease().toMillis() / 1000.0)
                .query((rs, n) -> {
                    UUID id = rs.getObject("id", UUID.class);
                    int attempts = rs.getInt("attempts");
                    jobs.event(id, "info", "message", attempts == 1 ? "Worker " + worker + " started the job"
                            : "Worker " + worker + " resumed the job (attempt " + attempts + ") after the previous worker's lease ran out", null);
                    return id;
                })
                .optional();
        return claimed.map(jobs::require);
    }

    /** @return false when this worker no longer holds the job: it must stop without writing */
    public boolean heartbeat(UUID job, String worker, int stepsDone) {
        return jdbc.sql("""
                update jobs set lease_expires_at = now() + make_interval(secs => ?), steps_done = ?
                where id = ? and lease_owner = ? and status = 'running'""")
                .params(properties.lease().toMillis() / 1000.0, stepsDone, job, worker).update() == 1;
    }

    /**
     * Records the checkpoint the job published, on the job and as a {@code publication} event.
     *
     * @return false when this worker no longer holds the job: it must stop without writing
     */
    @Transactional
    public boolean published(UUID job, String worker, String model, String version, String message) {
        boolean held = jdbc.sql("""
                update jobs set result_model = ?, result_version = ?
                where id = ? and lease_owner = ? and status = 'running'""")
                .params(model, version, job, worker).update() == 1;
        if (held) {
            jobs.event(job, "info", "publication", message, Map.of("model", model, "version", version));
        }
        return held;
    }

    public boolean cancelRequested(UUID job) {
        return jdbc.sql("select cancel_requested from jobs where id = ?").param(job).query(Boolean.class).single();
    }

    @Transactional
    public boolean finish(UUID job, String worker, String status, String error) {
        int updated = jdbc.sql("""
                update jobs set status = ?, error = ?, finished_at = now(), lease_owner = null, lease_expires_at = null
                where id = ? and lease_owner = ? and status = 'running'""")
                .params(status, error, job, worker).update();
        if (updated == 1) {
            jobs.event(job, status.equals("failed") ? "error" : "info", "message",
                    switch (status) {
                        case "succeeded" -> "Job succeeded";
                        case "cancelled" -> "Job cancelled";
                        default -> "Job failed: " + error;
                    }, null);
        }
        return updated == 1;
    }
}
