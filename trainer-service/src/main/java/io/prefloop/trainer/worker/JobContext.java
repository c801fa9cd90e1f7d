package io.prefloop.trainer.worker;

import ai.djl.Device;
import io.prefloop.trainer.job.Jobs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** What a runner reports to, and learns from, while it trains. */
public class JobContext {

    private final UUID job;
    private final String worker;
    private final int stepsTotal;
    private final JobQueue queue;
    private final Jobs jobs;
    private final Duration heartbeat;
    private final Clock clock;
    private final Device device;
    private final Instant started;
    private Instant lastBeat;

    JobContext(UUID job, String worker, int stepsTotal, JobQueue queue, Jobs jobs, Duration heartbeat, Clock clock,
            Device device) {
        this.device = device;
        this.job = job;
        this.worker = worker;
        this.stepsTotal = stepsTotal;
        this.queue = queue;
        this.jobs = jobs;
        this.heartbeat = heartbeat;
        this.clock = clock;
        this.started = clock.instant();
        this.lastBeat = started;
    }

    /** Records a finished step's metrics; renews the lease and checks for cancellation every heartbeat. */
    public void step(int stepsDone, Map<String, ? extends Number> metrics) {
        Map<String, Object> data = new LinkedHashMap<>(metrics);
        data.put("step", stepsDone);
        data.put("total_steps", stepsTotal);
        double elapsed = Duration.between(started, clock.instant()).toMillis() / 1000.0;
        data.put("seconds_left", stepsDone == 0 ? null : Math.round(elapsed / stepsDone * (stepsTotal - stepsDone)));
        jobs.event(job, "info", "metrics", "Step " + stepsDone + "/" + stepsTotal, data);
        Instant now = clock.instant();
        if (stepsDone == stepsTotal || !now.isBefore(lastBeat.plus(heartbeat))) {
            lastBeat = now;
            if (!queue.heartbeat(job, worker, stepsDone)) {
                throw new JobStoppedException(false, "This worker no longer holds the job's lease");
            }
            if (queue.cancelRequested(job)) {
                throw new JobStoppedException(true, "Cancelled");
            }
        }
    }

    /** Where this worker trains (see {@link io.prefloop.model.nn.DeviceSetting}). */
    public Device device() {
        return device;
    }

    /** Records the checkpoint the job published (or found published by a previous attempt) as its result. */
    public void published(String model, String version, String message) {
        if (!queue.published(job, worker, model, version, message)) {
            throw new JobStoppedException(false, "This worker no longer holds the job's lease");
        }
    }

    public void message(String message) {
        jobs.event(job, "info", "message", message, null);
    }

    /** A message with structured data beside its prose. */
    public void message(String level, String message, Map<String, Object> data) {
        jobs.event(job, level, "message", message, data);
    }
}
