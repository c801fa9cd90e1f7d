package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.DpoTrainer;
import io.prefloop.model.text.TextPreference;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.trainer.feedback.Comparison;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.DpoSettings;
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
class TextDpoRunner extends FineTuningRunner<DpoSettings, TransformerLm> {

    private static final int EVAL_BATCH = 64;

    TextDpoRunner(RunnerServices services) {
        super(services, Method.DPO, DpoSettings.class, ModelFamilies.CAUSAL_TRANSFORMER);
    }

    @Override
    protected Plan plan(JobView job, DpoSettings settings, JobContext context, Start<TransformerLm> start,
            OptimizerStep optimizer, NDManager manager) {
        ComparisonSet data = ComparisonSet.read(services.feedback(), job,
                c -> c.chosen().text() != null && c.rejected().text() != null);
        context.message("Training on " + data.describe() + " from " + start.id().model() + "/" + start.id().version());
        List<TextPreference> training = preferences(data.training());
        DpoTrainer trainer = new DpoTrainer(start.policy(), start.reference(), new ByteTokenizer(), settings.config(),
                optimizer);
        int batch = settings.training().batchSize();

        return new Plan((step, random) -> {
            List<TextPreference> minibatch = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                minibatch.add(training.get(random.nextInt(training.size())));
            }
            return trainer.step(manager, minibatch).toMap();
        }, c -> {
            Map<String, Object> metrics = new LinkedHashMap<>();
            boolean heldOut = !data.heldOut().isEmpty();
            List<TextPreference> evaluated = preferences(heldOut ? data.heldOut() : data.training());
            Map<String, Double> evaluation = Evaluation.averaged(evaluated, EVAL_BATCH,
                    chunk -> trainer.evaluate(manager, chunk));
            if (heldOut) {
                evaluation.forEach((k, v) -> metrics.put("heldout_" + k, v));
                c.message("Held out: rewards/accuracies " + Evaluation.round(evaluation.get("rewards/accuracies"))
                        + ", loss " + Evaluation.round(evaluation.get("loss")) + " on " + evaluated.size() + " pairs");
            }
            double parentNll = -evaluation.get("ref_logps/chosen");
            double nll = -evaluation.get("logps/chosen");
            metrics.put("quality_regression", Math.max(0, (nll - parentNll) / Math.abs(parentNll)));
            metrics.put("quality_regression_on", heldOut ? "heldout" : "training");
            return metrics;
        }, data.dataset(job));
    }

    private static List<TextPreference> preferences(List<Comparison> comparisons) {
        return comparisons.stream().map(c -> new TextPreference(c.prompt(), c.chosen().text(), c.rejected().text()))
                .toList();
    }
}
