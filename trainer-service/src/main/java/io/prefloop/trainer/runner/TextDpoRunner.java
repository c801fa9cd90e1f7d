package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoLossType;
import io.prefloop.model.text.DpoTrainer;
import io.prefloop.model.text.LanguageModels;
import io.prefloop.model.text.TextPreference;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.trainer.feedback.Comparison;
import io.prefloop.trainer.feedback.FeedbackClient;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.registry.Registry;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * DPO for a text model (Rafailov et al. 2023, as TRL computes it): from the model's current
 * checkpoint, which is also the frozen reference, on the project's decisive text comparisons.
 * Held-out metrics are TRL's, prefixed {@code heldout_}; {@code quality_regression} is how much
 * less likely the tuned model finds the chosen replies than its parent did, relative to the
 * parent's negative log-likelihood (0 when it finds them no less likely), on the held-out pairs, or
 * on the training pairs when none are held out ({@code quality_regression_on} says which).
 */
@Component
class TextDpoRunner extends CheckpointRunner {

    private static final int EVAL_BATCH = 64;

    private final FeedbackClient feedback;
    private final Registry registry;
    private final DirectoryCheckpointStore store;

    TextDpoRunner(Publications publications, ResumableTraining training, FeedbackClient feedback, Registry registry,
            DirectoryCheckpointStore store) {
        super(publications, training);
        this.feedback = feedback;
        this.registry = registry;
        this.store = store;
    }

    @Override
    public boolean supports(Method method) {
        return method == Method.DPO;
    }

    @Override
    protected Result train(JobView job, JobContext context, NDManager manager) {
        CheckpointView start = registry.current(job.model());
        ComparisonSet data = ComparisonSet.read(feedback, job, c -> c.chosen().text() != null && c.rejected().text() != null);
        context.message("Training on " + data.describe() + " from " + start.model() + "/" + start.version());
        List<TextPreference> training = preferences(data.training());

        Map<String, Object> h = job.hyperparameters();
        int batch = ((Number) h.get("batch_size")).intValue();
        double beta = ((Number) h.get("beta")).doubleValue();
        DpoConfig config = new DpoConfig(beta, DpoLossType.valueOf(((String) h.get("loss_type")).toUpperCase()),
                ((Number) h.get("label_smoothing")).doubleValue(), ((Number) h.get("rpo_alpha")).doubleValue());
        CheckpointId startId = new CheckpointId(start.model(), start.version());
        TransformerLm base = ModelFamilies.CAUSAL_TRANSFORMER.load(store, startId, manager);
        TransformerLm policy = LanguageModels.copy(base, manager);
        TransformerLm reference = LanguageModels.frozenCopy(base, manager);
        OptimizerStep optimizer = OptimizerStep.adam(policy, ((Number) h.get("learning_rate")).floatValue());
        DpoTrainer trainer = new DpoTrainer(policy, reference, new ByteTokenizer(), config, optimizer);
        Map<String, Double> last = this.training.run(job, context, policy, optimizer, manager, (step, random) -> {
            List<TextPreference> minibatch = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                minibatch.add(training.get(random.nextInt(training.size())));
            }
            return trainer.step(manager, minibatch).toMap();
        });

        Map<String, Object> metrics = new LinkedHashMap<>(last);
        boolean heldOut = !data.heldOut().isEmpty();
        List<TextPreference> evaluated = preferences(heldOut ? data.heldOut() : data.training());
        Map<String, Double> evaluation = Evaluation.averaged(evaluated, EVAL_BATCH, chunk -> trainer.evaluate(manager, chunk));
        if (heldOut) {
            evaluation.forEach((k, v) -> metrics.put("heldout_" + k, v));
            context.message("Held out: rewards/accuracies " + Evaluation.round(evaluation.get("rewards/accuracies")) + ", loss "
                    + Evaluation.round(evaluation.get("loss")) + " on " + evaluated.size() + " pairs");
        }
        double parentNll = -evaluation.get("ref_logps/chosen");
        double nll = -evaluation.get("logps/chosen");
        metrics.put("quality_regression", Math.max(0, (nll - parentNll) / Math.abs(parentNll)));
        metrics.put("quality_regression_on", heldOut ? "heldout" : "training");
        Manifest manifest = Manifest.of(new CheckpointId(job.model(), "next"),
                ModelFamilies.CAUSAL_TRANSFORMER.architecture(policy), "dpo")
                .withParent(startId).withReference(startId).withHyperparameters(h).withDataset(data.dataset(job))
                .withMetrics(metrics);
        return new Result(manifest, BlockWeights.of(policy));
    }

    private static List<TextPreference> preferences(List<Comparison> comparisons) {
        return comparisons.stream().map(c -> new TextPreference(c.prompt(), c.chosen().text(), c.rejected().text()))
                .toList();
    }
}
