package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.SftTrainer;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.SftSettings;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SFT of a language model ({@link SftTrainer}). Held out: {@code heldout_nll} and
 * {@code heldout_ref_nll}, per completion token. {@code quality_regression} is how much more
 * likely the start found the demonstrations than the tuned model does, relative to the start's NLL
 * (0 when the tuned model finds them no less likely: SFT is meant to lower it), on the held-out
 * examples, or the training ones when none are held out.
 */
final class TextSftRunner extends FineTuningRunner<SftSettings, TransformerLm> {

    private static final int EVAL_BATCH = 64;

    TextSftRunner(RunnerServices services) {
        super(services, Method.SFT, SftSettings.class, ModelFamilies.CAUSAL_TRANSFORMER);
    }

    @Override
    protected Plan plan(JobView job, SftSettings settings, JobContext context, Start<TransformerLm> start,
            OptimizerStep optimizer, NDManager manager) {
        DemonstrationSet data = DemonstrationSet.read(services.feedback(), job, settings, e -> e.text() != null);
        context.message("Fine-tuning " + start.id() + " on " + data.describe());
        List<SftTrainer.Example> training = examples(data.training());
        SftTrainer trainer = new SftTrainer(start.policy(), start.reference(), new ByteTokenizer(), optimizer);
        int batch = settings.training().batchSize();
        return new Plan((step, random) -> {
            List<SftTrainer.Example> minibatch = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                minibatch.add(training.get(random.nextInt(training.size())));
            }
            return trainer.step(manager, minibatch);
        }, c -> {
            boolean heldOut = !data.heldOut().isEmpty();
            List<SftTrainer.Example> evaluated = heldOut ? examples(data.heldOut()) : training;
            Map<String, Double> evaluation = Evaluation.averaged(evaluated, EVAL_BATCH, chunk -> trainer.evaluate(manager, chunk));
            Map<String, Object> metrics = new LinkedHashMap<>();
            if (heldOut) {
                metrics.put("heldout_nll", evaluation.get("nll"));
                metrics.put("heldout_ref_nll", evaluation.get("ref_nll"));
                c.message("Held out: NLL per token " + Evaluation.round(evaluation.get("ref_nll")) + " → "
                        + Evaluation.round(evaluation.get("nll")) + " on " + evaluated.size() + " examples");
            }
            double parent = evaluation.get("ref_nll");
            metrics.put("quality_regression", Math.max(0, (evaluation.get("nll") - parent) / Math.abs(parent)));
            metrics.put("quality_regression_on", heldOut ? "heldout" : "training");
            return metrics;
        }, data.dataset(job));
    }

    private static List<SftTrainer.Example> examples(List<DemonstrationSet.Example> examples) {
        return examples.stream().map(e -> new SftTrainer.Example(e.prompt(), e.text())).toList();
    }
}
