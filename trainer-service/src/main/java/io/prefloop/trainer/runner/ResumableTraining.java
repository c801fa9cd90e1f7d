package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.worker.JobContext;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.springframework.stereotype.Component;

/**
 * The step loop every runner shares: it resumes from the job's newest intermediate checkpoint,
 * saves one every {@code checkpoint_every} steps, and reports each step. Each step draws from its
 * own random stream, seeded by the job's seed and the step number, so a resumed job sees the same
 * minibatches, timesteps and noise as one that was never interrupted.
 */
@Component
public class ResumableTraining {

    /** One optimisation step; returns its metrics. */
    @FunctionalInterface
    public interface Step {
        Map<String, Double> run(int step, Random random);
    }

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
        int steps = ((Number) job.hyperparameters().get("steps")).intValue();
        int every = ((Number) job.hyperparameters().getOrDefault("checkpoint_every", steps)).intValue();
        Optional<Integer> resumed = snapshots.restore(job.id(), trained, optimizer, extras, manager);
        int first = resumed.map(s -> s + 1).orElse(1);
        resumed.ifPresent(s -> context.message("Resumed from the intermediate checkpoint after step " + s + " of " + steps
                + "; steps " + (s + 1) + "–" + steps + " remain"));
        Map<String, Double> last = Map.of();
        for (int i = first; i <= steps; i++) {
            last = step.run(i, random(job.seed(), i));
            context.step(i, last);
            if (i % every == 0 && i < steps) {
                snapshots.save(job.id(), i, trained, optimizer, extras);
                context.message("Intermediate checkpoint saved after step " + i);
            }
        }
        return last;
    }

    /** Deletes the job's intermediate checkpoints (after its result is published). */
    public void finished(JobView job) {
        snapshots.discard(job.id());
    }

    static Random random(long seed, int step) {
        return new Random(seed * 0x9E3779B97F4A7C15L + step);
    }
}
