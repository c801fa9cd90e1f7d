package io.prefloop.inference.text;

import ai.djl.ndarray.NDManager;
import io.prefloop.common.web.ApiException;
import io.prefloop.inference.InferenceProperties;
import io.prefloop.inference.batching.AwaitedJob;
import io.prefloop.inference.batching.DynamicBatcher;
import io.prefloop.inference.serving.Lease;
import io.prefloop.inference.serving.Networks;
import io.prefloop.inference.serving.ServedModels;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.Generation;
import io.prefloop.model.text.SamplingParams;
import io.prefloop.model.text.TextGenerator;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Completions from the current checkpoint of a language model, batched across requests like image
 * generation: requests for the same model with the same max_tokens share one generator run, each
 * row with its own temperature, top_p and random stream, so a request gets exactly what it would get
 * alone (rows of equal max_tokens keep the same prompt tokens in any batch). The run holds a lease.
 */
@Component
public class TextCompletions implements DisposableBean {

    public record Result(CheckpointId checkpoint, List<Generation> generations) {}

    /** What must be equal for requests to share a run. */
    record Key(String model, int maxTokens) {}

    static final class Job extends AwaitedJob<Result> {
        final List<String> prompts;
        final SamplingParams params;

        Job(List<String> prompts, SamplingParams params) {
            this.prompts = prompts;
            this.params = params;
        }

        @Override
        public int size() {
            return prompts.size();
        }
    }

    private final ServedModels models;
    private final DynamicBatcher<Key, Job> batcher;

    TextCompletions(ServedModels models, InferenceProperties properties) {
        this.models = models;
        InferenceProperties.Batching b = properties.batching();
        this.batcher = new DynamicBatcher<>("text-batcher", this::run, b.maxBatch(), b.maxDelay(), b.queueCapacity(),
                b.workers());
    }

    /**
     * {@code prompts.get(i)} is sampled with stream i of {@code params.seed()}; throws
     * QueueFullException when the queue is full.
     */
    public Result complete(String model, List<String> prompts, SamplingParams params) {
        Job job = new Job(prompts, params);
        batcher.submit(new Key(model, params.maxTokens()), job);
        return job.await();
    }

    public DynamicBatcher<Key, Job> batcher() {
        return batcher;
    }

    private void run(Key key, List<Job> jobs) {
        try (Lease lease = models.lease(key.model(), "model")) {
            if (!(lease.model().networks() instanceof Networks.Language language)) {
                throw ApiException.invalid("model", key.model() + " is a " + lease.model().kind().json()
                        + " model, not a language model");
            }
            List<TextGenerator.Row> rows = new ArrayList<>();
            for (Job job : jobs) {
                for (int i = 0; i < job.prompts.size(); i++) {
                    rows.add(new TextGenerator.Row(job.prompts.get(i), job.params, i));
                }
            }
            List<Generation> out;
            try (NDManager m = lease.model().manager().newSubManager()) {
                out = new TextGenerator(language.model(), new ByteTokenizer()).generate(m, rows);
            }
            int row = 0;
            for (Job job : jobs) {
                job.complete(new Result(lease.model().id(), List.copyOf(out.subList(row, row + job.size()))));
                row += job.size();
            }
        }
    }

    @Override
    public void destroy() {
        batcher.close();
    }
}
