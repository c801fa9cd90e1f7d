package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.DpoConfig;
import io.prefloop.model.text.DpoLossType;
import io.prefloop.model.text.DpoMetrics;
import io.prefloop.model.text.DpoTrainer;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.LanguageModels;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.text.TextPreference;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.trainer.feedback.Comparison;
import io.prefloop.trainer.feedback.FeedbackClient;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.registry.Registry;
import io.prefloop.trainer.worker.JobContext;
import io.prefloop.trainer.worker.JobRunner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.springframework.stereotype.Component;

/**
 * DPO for a text model: from the model's current checkpoint (also the frozen reference), on the
 * project's decisive comparisons, publishing the result as the model's next version with its
 * lineage and the feed range it trained on. Ties, splits and both-bad pairs are not preferences
 * and are left out.
 */
@Component
class TextDpoRunner implements JobRunner {

    private static final int PAGE = 1000;

    private final FeedbackClient feedback;
    private final Registry registry;
    private final DirectoryCheckpointStore store;

    TextDpoRunner(FeedbackClient feedback, Registry registry, DirectoryCheckpointStore store) {
        this.feedback = feedback;
        this.registry = registry;
        this.store = store;
    }

    @Override
    public boolean supports(Method method) {
        return method == Method.DPO;
    }

    @Override
    public void run(JobView job, JobContext context) {
        if (registry.publishedBy(job.id()).isPresent()) {
            context.message("The job's checkpoint was already published before the restart; nothing to do");
            return;
        }
        CheckpointView start = registry.current(job.model());
        List<TextPreference> pairs = new ArrayList<>();
        long from = job.feedAfter() == null ? 0 : job.feedAfter();
        long to = job.feedTo() == null ? Long.MAX_VALUE : job.feedTo();
        long position = from;
        FeedbackClient.Page page;
        do {
            page = feedback.comparisons(job.project(), position, PAGE);
            for (Comparison c : page.comparisons()) {
                if (c.position() <= to && c.decisive() && c.chosen().text() != null) {
                    pairs.add(new TextPreference(c.prompt(), c.chosen().text(), c.rejected().text()));
                }
            }
            position = Math.min(page.lastPosition(), to);
        } while (page.hasMore() && position < to);
        if (pairs.isEmpty()) {
            throw new IllegalStateException("Project " + job.project() + " has no decisive text comparisons to train on");
        }
        context.message("Training on " + pairs.size() + " decisive comparisons (feed positions " + (from + 1) + "–"
                + position
                + ") from " + start.model() + "/" + start.version());

        Map<String, Object> h = job.hyperparameters();
        int steps = ((Number) h.get("steps")).intValue();
        int batch = ((Number) h.get("batch_size")).intValue();
        float learningRate = ((Number) h.get("learning_rate")).floatValue();
        DpoConfig config = new DpoConfig(((Number) h.get("beta")).doubleValue(),
                DpoLossType.valueOf(((String) h.get("loss_type")).toUpperCase()),
                ((Number) h.get("label_smoothing")).doubleValue());
        CheckpointId startId = new CheckpointId(start.model(), start.version());
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLm base = LanguageModelCheckpoints.load(store, startId, manager);
            TransformerLm policy = LanguageModels.copy(base, manager);
            TransformerLm reference = LanguageModels.frozenCopy(base, manager);
            DpoTrainer trainer = new DpoTrainer(policy, reference, new ByteTokenizer(), config,
                    OptimizerStep.adam(policy, learningRate));
            Random random = new Random(job.seed());
            DpoMetrics last = null;
            for (int step = 1; step <= steps; step++) {
                List<TextPreference> minibatch = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    minibatch.add(pairs.get(random.nextInt(pairs.size())));
                }
                last = trainer.step(manager, minibatch);
                context.step(step, last.toMap());
            }
            Map<String, Object> dataset = new LinkedHashMap<>();
            dataset.put("project", job.project().toString());
            dataset.put("feed_after", from);
            dataset.put("feed_to", position);
            dataset.put("pairs", pairs.size());
            CheckpointId id = new CheckpointId(job.model(), store.nextVersion(job.model()));
            Manifest published = LanguageModelCheckpoints.publish(store, Manifest.of(id, null, "dpo")
                    .withParent(startId).withReference(startId)
                    .withHyperparameters(h)
                    .withDataset(dataset)
                    .withMetrics(new LinkedHashMap<>(last.toMap())), policy);
            registry.register(published, job.id());
            context.message("Published " + id);
        }
    }
}
