package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.settings.TrainingSettings;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.springframework.stereotype.Component;

/**
 * The step loop every runner shares: it resumes from the job's newest intermediate checkpoint,
 * saves one every {@code checkpoint_every} steps, and reports each step. Each step draws from its
 * own random stream, seeded by the job's seed and the step number, so a resumed job sees the same
 * minibatches, timesteps and noise as one that was never interrupted.
 *
 * <p>It also makes training stable for every runner: the optimizer clips the global gradient norm
 * at {@code max_grad_norm} and warms the learning rate up over {@code warmup_steps}; each step's
 * metrics event carries {@code grad_norm} (before clipping) and {@code learning_rate}. A
 * {@link DivergenceGuard} watches every step. When it trips, the run goes back to the last state
 * known to be good (an in-memory copy taken every {@value #KEEP_EVERY} steps and kept once the next
 * {@code divergence_patience} steps were healthy, or the state it started from) and continues at a
 * tenth of the learning rate, then a hundredth; a third trip fails the job with what diverged,
 * where, and what was tried. Each trip and retry is a warning event.
 */
@Component
public class ResumableTraining {

    /** One optimisation step; returns its metrics. */
    @FunctionalInterface
    public interface Step {
        Map<String, Double> run(int step, Random random);
    }

    static final int KEEP_EVERY = 10;
    private static final double[] RETRY_SCALES = {1, 0.1, 0.01};

    private final JobSnapshots snapshots;

    ResumableTraining(JobSnapshots snapshots) {
        this.snapshots = snapshots;
    }

    /** @return the last step's metrics (empty when the job was resumed after its last step) */
    public Map<String, Double> run(JobView job, JobContext context, Block trained, OptimizerStep optimizer,
            NDManager manager, Step step) {
        return run(job, context, trained, optimizer, Map.of(), manager, step);
    }

    /** @param extras more blocks saved and restored with the trained one (an EMA copy, say) */
    public Map<String, Double> run(JobView job, JobContext context, Block trained, OptimizerStep optimizer,
            Map<String, Block> extras, NDManager manager, Step step) {
        TrainingSettings settings = job.settings().training();
        int steps = settings.steps();
        int every = settings.checkpointEvery();
        double learningRate = settings.learningRate();
        optimizer.clipGradNorm(settings.maxGradNorm());
        optimizer.warmUp(settings.warmupSteps());
        int patience = settings.divergencePatience();
        DivergenceGuard guard = DivergenceGuard.forMethod(job.method(), settings.divergenceRatio(), patience);

        Optional<JobSnapshots.Restored> resumed = snapshots.restore(job.id(), trained, optimizer, extras, manager);
        int retries = resumed.map(JobSnapshots.Restored::retries).orElse(0);
        optimizer.scaleLearningRate(RETRY_SCALES[Math.min(retries, RETRY_SCALES.length - 1)]);
        int first = resumed.map(r -> r.step() + 1).orElse(1);
        resumed.ifPresent(r -> context.message("Resumed from the intermediate checkpoint after step " + r.step() + " of "
                + steps + "; steps " + (r.step() + 1) + "–" + steps + " remain"
                + (r.retries() > 0 ? " (at " + rate(learningRate, r.retries()) + " after divergence)" : "")));

        List<String> tried = new ArrayList<>();
        TrainingState good = TrainingState.copy(first - 1, trained, optimizer, extras, manager);
        TrainingState candidate = null;
        Map<String, Double> last = Map.of();
        try {
            int i = first;
            while (i <= steps) {
                Map<String, Double> metrics = new LinkedHashMap<>(step.run(i, random(job.seed(), i)));
                metrics.put("grad_norm", optimizer.lastGradNorm());
                metrics.put("learning_rate", optimizer.lastLearningRate());
                Optional<String> trip = guard.observe(i, metrics).map(reason -> reason + whereNonFinite(optimizer));
                context.step(i, metrics);
                if (trip.isPresent()) {
                    tried.add(trip.get() + " at learning rate " + rate(learningRate, retries));
                    if (retries + 1 >= RETRY_SCALES.length) {
                        String reason = "Training diverged: " + String.join("; then ", tried) + ". Gave up after "
                                + retries + " retries at lower learning rates; nothing is published";
                        context.message("warn", reason, Map.of("divergence", "failed", "step", i));
                        throw new TrainingDivergedException(reason);
                    }
                    retries++;
                    good.restore(trained, optimizer, extras);
                    tried.set(tried.size() - 1, tried.get(tried.size() - 1) + " (restored the state after step "
                            + good.step() + ")");
                    optimizer.scaleLearningRate(RETRY_SCALES[retries]);
                    guard.restarted();
                    if (candidate != null) {
                        candidate.close();
                        candidate = null;
                    }
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("divergence", "tripped");
                    data.put("step", i);
                    data.put("watched", guard.watched());
                    data.put("reason", trip.get());
                    data.put("restored_step", good.step());
                    data.put("retry", retries);
                    data.put("learning_rate", learningRate * RETRY_SCALES[retries]);
                    context.message("warn", "Divergence guard tripped: " + trip.get() + ". Restored the state after step "
                            + good.step() + "; retrying at learning rate " + rate(learningRate, retries)
                            + " (retry " + retries + " of " + (RETRY_SCALES.length - 1) + ")", data);
                    i = good.step() + 1;
                    continue;
                }
                last = metrics;
                if (!guard.healthy() && candidate != null) {
                    candidate.close(); // taken while the trouble may already have started
                    candidate = null;
                } else if (candidate != null && i - candidate.step() >= patience) {
                    good.close();
                    good = candidate; // the steps after it were healthy
                    candidate = null;
                }
                if (candidate == null && guard.healthy() && i % KEEP_EVERY == 0 && i < steps) {
                    candidate = TrainingState.copy(i, trained, optimizer, extras, manager);
                }
                if (i % every == 0 && i < steps) {
                    if (guard.healthy()) {
                        snapshots.save(job.id(), i, trained, optimizer, extras, retries);
                        context.message("Intermediate checkpoint saved after step " + i);
                    } else {
                        context.message("warn", "No intermediate checkpoint after step " + i + ": " + guard.watched()
                                + " is above its bound", null);
                    }
                }
                i++;
            }
        } finally {
            good.close();
            if (candidate != null) {
                candidate.close();
            }
        }
        return last;
    }

    /** Deletes the job's intermediate checkpoints (after its result is published). */
    public void finished(JobView job) {
        snapshots.discard(job.id());
    }

    private static String whereNonFinite(OptimizerStep optimizer) {
        List<String> names = optimizer.lastNonFiniteGradients();
        if (names.isEmpty()) {
            return "";
        }
        String shown = String.join(", ", names.subList(0, Math.min(3, names.size())));
        return " (non-finite gradient in " + shown + (names.size() > 3 ? " and " + (names.size() - 3) + " more" : "") + ")";
    }

    private static String rate(double learningRate, int retries) {
        return DivergenceGuard.format(learningRate * RETRY_SCALES[retries]);
    }

    static Random random(long seed, int step) {
        return new Random(seed * 0x9E3779B97F4A7C15L + step);
    }
}
