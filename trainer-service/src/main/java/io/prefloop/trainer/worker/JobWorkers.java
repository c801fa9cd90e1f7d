package io.prefloop.trainer.worker;

import ai.djl.Device;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.auth.Role;
import io.prefloop.model.nn.DeviceSetting;
import io.prefloop.model.nn.GradientRecording;
import io.prefloop.model.nn.NativeHeap;
import io.prefloop.model.nn.NativeMemory;
import io.prefloop.model.nn.conv.ConvolutionPath;
import io.prefloop.model.nn.conv.ConvolutionSelfCheck;
import io.prefloop.model.nn.conv.ConvolutionStatus;
import io.prefloop.model.nn.conv.Convolutions;
import io.prefloop.model.shapes.ShapesConvolutions;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Jobs;
import io.prefloop.trainer.policy.PolicyPromotions;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The training workers of this process: each polls the queue, runs one job at a time with the
 * runner for its method, and records how it ended. Set {@code prefloop.trainer.workers.count=0}
 * for an API-only process.
 */
@Component
class JobWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobWorkers.class);

    private final JobQueue queue;
    private final Jobs jobs;
    private final List<JobRunner> runners;
    private final PolicyPromotions promotions;
    private final WorkerProperties properties;
    private final TransactionTemplate transaction;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private Device device;
    private volatile ConvolutionSelfCheck.Report convolutions;

    JobWorkers(JobQueue queue, Jobs jobs, List<JobRunner> runners, PolicyPromotions promotions,
            WorkerProperties properties, PlatformTransactionManager transactions) {
        this.queue = queue;
        this.transaction = new TransactionTemplate(transactions);
        this.promotions = promotions;
        this.jobs = jobs;
        this.runners = runners;
        this.properties = properties;
    }

    @Override
    public void start() {
        if (properties.count() > 0) {
            device = DeviceSetting.choose("prefloop.trainer.workers.device", properties.device());
            log.info("{} training worker(s) on {}", properties.count(), device);
            convolutions = ConvolutionSelfCheck.run(ShapesConvolutions.calls(8), device);
        }
        running = true;
        String process = ManagementFactory.getRuntimeMXBean().getName();
        for (int i = 0; i < properties.count(); i++) {
            String name = process + "/worker-" + i + "/" + UUID.randomUUID().toString().substring(0, 8);
            Thread thread = new Thread(() -> loop(name), "trainer-worker-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void loop(String worker) {
        GradientRecording.offForThisThread();
        while (running) {
            try {
                Optional<JobView> job = queue.claim(worker);
                if (job.isPresent()) {
                    run(job.get(), worker);
                } else {
                    Thread.sleep(properties.poll().toMillis());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("Worker {} could not poll the queue: {}", worker, e.getMessage());
                sleepQuietly();
            }
        }
    }

    private void run(JobView job, String worker) {
        Optional<JobRunner> runner = runners.stream().filter(r -> r.supports(job.method())).findFirst();
        if (runner.isEmpty()) {
            queue.finish(job.id(), worker, "failed", "No runner for method '" + job.method().json()
                    + "' in this build of the trainer");
            return;
        }
        JobContext context = new JobContext(job.id(), worker, job.progress().stepsTotal(), queue, jobs,
                properties.heartbeat(), Clock.systemUTC(), device);
        reportConvolutions(context);
        ConvolutionPath before = Convolutions.path();
        try {
            try {
                runner.get().run(job, context);
            } finally {
                releaseNativeMemory(worker, job);
            }
            if (Convolutions.path() != before) {
                context.message("warn", "Convolution gradients were wrong on a new layer shape; convolutions now use "
                        + Convolutions.path().description() + " (" + Convolutions.status().summary() + ")", null);
            }
            // one transaction: whoever sees the job succeeded also sees its gate decision and its policy's progress
            transaction.executeWithoutResult(t -> {
                if (queue.finish(job.id(), worker, "succeeded", null)) {
                    promotions.jobSucceeded(job, new Caller("worker:" + worker, worker, Role.SERVICE));
                }
            });
        } catch (JobStoppedException e) {
            if (e.cancelled()) {
                queue.finish(job.id(), worker, "cancelled", null);
            } else {
                log.warn("Worker {} lost job {}: {}", worker, job.id(), e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Job {} failed", job.id(), e);
            queue.finish(job.id(), worker, "failed", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * A job frees hundreds of MB of tensors at once, which glibc would keep (NativeHeap); trimmed
     * before the job is marked finished, so whoever sees it finished sees the memory returned.
     */
    private void releaseNativeMemory(String worker, JobView job) {
        String trimmed = NativeHeap.trim().map(r -> "; native heap trimmed, " + r).orElse("");
        log.info("Worker {} ran job {}: {}{}", worker, job.id(), NativeMemory.now().summary(), trimmed);
    }

    /**
     * Every job starts with where this worker stands with its convolution gradients: a job whose
     * convolutions cannot be trained right fails at its first step with the reason (text jobs have none).
     */
    private void reportConvolutions(JobContext context) {
        ConvolutionStatus status = Convolutions.status();
        Map<String, Object> data = convolutions == null ? new LinkedHashMap<>() : new LinkedHashMap<>(convolutions.toMap());
        data.put("path", status.path().name().toLowerCase(Locale.ROOT));
        data.put("training_allowed", status.trainingAllowed());
        data.put("shapes_checked", status.shapesChecked());
        context.message(status.trainingAllowed() ? "info" : "warn", status.summary(), data);
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(properties.poll().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        running = false;
        threads.forEach(Thread::interrupt);
        threads.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
