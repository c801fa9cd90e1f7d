package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.family.ModelFamily;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.MethodSettings;
import io.prefloop.trainer.worker.JobContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The skeleton of every method that fine-tunes a model's current checkpoint against a frozen copy
 * of it (DPO, Diffusion-DPO, DCO, D3PO): load the start checkpoint through its family, freeze a
 * copy as the reference, make Adam at the job's rate, let the method read its data and build its
 * {@link Plan}, run the plan's step through {@link ResumableTraining} (resume, snapshots, metrics,
 * divergence guard, cancellation), add the plan's evaluation to the last step's metrics, and return
 * the manifest (parent and reference: the start) with the policy's weights; {@link CheckpointRunner}
 * publishes them exactly once. A new method of this kind is one subclass and its settings record.
 */
abstract class FineTuningRunner<S extends MethodSettings, B extends Block> extends CheckpointRunner {

    /**
     * The checkpoint a job starts from, the policy trained from it and the frozen reference.
     *
     * @param trained what the optimizer updates and the snapshots hold: the policy, or a block
     *     around it ({@link #trained})
     */
    protected record Start<B>(CheckpointId id, B policy, B reference, Block trained) {}

    /**
     * What a method brings to the skeleton.
     *
     * @param step one optimisation step (it calls the optimizer's step); returns the step's metrics
     * @param evaluation after the last step: held-out metrics (prefixed {@code heldout_}),
     *     {@code quality_regression} and {@code quality_regression_on}, to add to the last step's
     * @param dataset the manifest's {@code dataset}
     * @param extras state kept in the snapshots besides the trained block (PPO's KL coefficient)
     */
    protected record Plan(ResumableTraining.Step step, Function<JobContext, Map<String, Object>> evaluation,
            Map<String, Object> dataset, Map<String, Block> extras) {

        Plan(ResumableTraining.Step step, Function<JobContext, Map<String, Object>> evaluation,
                Map<String, Object> dataset) {
            this(step, evaluation, dataset, Map.of());
        }
    }

    private final Method method;
    private final Class<S> settingsType;
    private final ModelFamily<B> family;

    FineTuningRunner(RunnerServices services, Method method, Class<S> settingsType, ModelFamily<B> family) {
        super(services);
        this.method = method;
        this.settingsType = settingsType;
        this.family = family;
    }

    @Override
    public final boolean supports(Method method) {
        return method == this.method;
    }

    @Override
    protected final Result train(JobView job, JobContext context, NDManager manager) {
        S settings = job.settings(settingsType);
        CheckpointId startId = services.current(job.model());
        B policy = family.load(services.store(), startId, manager);
        B reference = family.frozenCopy(policy, manager);
        Block trained = trained(policy, manager);
        OptimizerStep optimizer = OptimizerStep.adam(trained, (float) settings.training().learningRate());
        Plan plan = plan(job, settings, context, new Start<>(startId, policy, reference, trained), optimizer, manager);

        Map<String, Double> last = training.run(job, context, trained, optimizer, plan.extras(), manager, plan.step());
        Map<String, Object> metrics = new LinkedHashMap<>(last);
        metrics.putAll(plan.evaluation().apply(context));
        Manifest manifest = Manifest.of(new CheckpointId(job.model(), "next"), family.architecture(policy), method.json())
                .withParent(startId).withReference(startId).withHyperparameters(job.hyperparameters())
                .withDataset(plan.dataset()).withMetrics(metrics);
        return new Result(manifest, BlockWeights.of(policy));
    }

    /**
     * The block the optimizer trains: the policy itself, or the policy with more trainable parts
     * (PPO's value head), whose weights and Adam moments then go into the snapshots too. Only the
     * policy is published.
     */
    protected Block trained(B policy, NDManager manager) {
        return policy;
    }

    /** Reads the method's data and builds its trainer on the policy, the reference and the optimizer. */
    protected abstract Plan plan(JobView job, S settings, JobContext context, Start<B> start, OptimizerStep optimizer,
            NDManager manager);
}
