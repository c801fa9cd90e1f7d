package io.prefloop.inference.registry;

import io.prefloop.model.nn.GradientRecording;
import io.prefloop.inference.InferenceProperties;
import io.prefloop.inference.serving.LoadedModel;
import io.prefloop.inference.serving.ModelLoader;
import io.prefloop.inference.serving.ModelSlot;
import io.prefloop.inference.serving.ServedModels;
import io.prefloop.model.checkpoint.CheckpointId;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Follows each model's {@code current} checkpoint in the trainer's registry: every
 * {@code prefloop.inference.poll} it reads the registry and, for a model whose current version
 * differs from the one served, loads the new checkpoint on this background thread (hash verified,
 * warmed up) and swaps it in. A checkpoint that fails is refused, remembered (a published
 * checkpoint never changes, so it is not retried) and the old one keeps serving.
 */
@Component
public class RegistryFollower implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RegistryFollower.class);

    private final TrainerClient trainer;
    private final ModelLoader loader;
    private final ServedModels models;
    private final InferenceProperties properties;
    private ScheduledExecutorService executor;
    private volatile Instant lastPoll;
    private volatile String lastError;

    RegistryFollower(TrainerClient trainer, ModelLoader loader, ServedModels models, InferenceProperties properties) {
        this.trainer = trainer;
        this.loader = loader;
        this.models = models;
        this.properties = properties;
    }

    /** One pass over the registry (the scheduler calls it; tests may too). */
    public synchronized void pollOnce() {
        try {
            for (TrainerClient.RegistryModel entry : trainer.models()) {
                if (!properties.models().isEmpty() && !properties.models().contains(entry.name())) {
                    continue;
                }
                follow(entry);
            }
            if (lastError != null) {
                log.info("The registry answers again");
            }
            lastError = null;
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (!message.equals(lastError)) {
                log.warn("Cannot read the registry; serving what is loaded: {}", message);
            }
            lastError = message;
        }
        lastPoll = Instant.now();
    }

    private void follow(TrainerClient.RegistryModel entry) {
        ModelSlot slot = models.slot(entry.name());
        slot.registryVersion(entry.currentVersion());
        String wanted = entry.currentVersion();
        LoadedModel served = slot.current();
        if (wanted == null || (served != null && served.id().version().equals(wanted)) || slot.isRefused(wanted)) {
            return;
        }
        TrainerClient.RegistryCheckpoint checkpoint = trainer.current(entry.name()).orElse(null);
        if (checkpoint == null || !checkpoint.version().equals(wanted)) {
            return; // promoted again in between: the next poll sees it
        }
        CheckpointId id = new CheckpointId(entry.name(), wanted);
        slot.loadingVersion(wanted);
        long start = System.nanoTime();
        try {
            LoadedModel loaded = loader.load(id, checkpoint.weightsSha256());
            models.install(loaded);
            log.info("Serving {} (loaded, verified and warmed up in {} ms{})", id, (System.nanoTime() - start) / 1_000_000,
                    served == null ? "" : "; " + served.id() + " is released after its last request");
        } catch (RuntimeException e) {
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            slot.refuse(wanted, reason);
            log.error("Refused checkpoint {}; {}: {}", id,
                    served == null ? "nothing is served for this model" : "still serving " + served.id(), reason);
        } finally {
            slot.loadingVersion(null);
        }
    }

    public Instant lastPoll() {
        return lastPoll;
    }

    public String lastError() {
        return lastError;
    }

    @Override
    public void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(() -> {
                GradientRecording.offForThisThread(); // warm-up passes build no autograd graphs
                r.run();
            }, "registry-follower");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, properties.poll().toMillis());
        executor.scheduleWithFixedDelay(this::pollOnce, 0, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }
}
