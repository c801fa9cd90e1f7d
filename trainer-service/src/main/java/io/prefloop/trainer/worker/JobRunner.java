package io.prefloop.trainer.worker;

import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;

/** Trains one kind of job. Runners are Spring beans; a method without one fails with that reason. */
public interface JobRunner {

    boolean supports(Method method);

    /**
     * Runs the job to its end. Call {@link JobContext#step} after every step: it records progress
     * and metrics, renews the lease, and throws {@link JobStoppedException} when the job must stop.
     */
    void run(JobView job, JobContext context) throws Exception;
}
