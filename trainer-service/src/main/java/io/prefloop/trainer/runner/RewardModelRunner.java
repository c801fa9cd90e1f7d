package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.reward.BradleyTerryLoss;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.ImageRewardSpec;
import io.prefloop.model.reward.RewardModelCheckpoints;
import io.prefloop.model.reward.RewardNormalizer;
import io.prefloop.model.reward.RewardTrainer;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.reward.TiePolicy;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.TransformerSpec;
import io.prefloop.trainer.feedback.Comparison;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.RewardModelSettings;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * A Bradley–Terry reward model (InstructGPT's loss −log σ(r_w − r_l − margin), optional reward
 * centring) over the project's text or image comparisons. It continues from the model's current
 * checkpoint when it has one; otherwise it starts fresh with the default architecture for the
 * modality (a small byte-level transformer for text, the shapes conv net for 16×16 images). Ties
 * are dropped or count as half a win each way ({@code ties}). Rewards are normalised (mean 0,
 * std 1 over the training pairs) and the scale is stored with the checkpoint. Held-out accuracy
 * is the share of held-out decisive pairs scored the right way round; {@code quality_regression}
 * is how much lower it is than the parent's on the same pairs (0 for a fresh model).
 */
@Component
class RewardModelRunner extends CheckpointRunner {

    private static final int EVAL_BATCH = 64;

    RewardModelRunner(RunnerServices services) {
        super(services);
    }

    @Override
    public boolean supports(Method method) {
        return method == Method.REWARD_MODEL;
    }

    /** The comparisons as model inputs: the first side's rows, then the second's. */
    private interface Encoder {
        NDList inputs(NDManager m, List<Comparison> pairs);
    }

    @Override
    protected Result train(JobView job, JobContext context, NDManager manager) {
        RewardModelSettings settings = job.settings(RewardModelSettings.class);
        TiePolicy ties = settings.ties();
        ComparisonSet data = ComparisonSet.read(services.feedback(), job, c -> true, ties == TiePolicy.HALF);
        boolean images = data.training().get(0).first().imageSha256() != null;
        Optional<CheckpointView> start = services.registry().models().stream().filter(m -> m.name().equals(job.model())
                && m.currentVersion() != null).findFirst().map(m -> services.registry().current(job.model()));
        ByteTokenizer tokenizer = new ByteTokenizer();
        Block model;
        Block parent = null;
        CheckpointId startId = start.map(s -> new CheckpointId(s.model(), s.version())).orElse(null);
        if (startId != null) {
            model = RewardModelCheckpoints.load(services.store(), startId, manager);
            parent = RewardModelCheckpoints.load(services.store(), startId, manager);
        } else if (!settings.initFrom().isEmpty()) {
            if (images) {
                throw new IllegalStateException("init_from starts a text reward model from a language model; project "
                        + job.project() + " compares images");
            }
            CheckpointId lm = CheckpointId.parse(settings.initFrom());
            model = TextRewardModel.fromLanguageModel(ModelFamilies.CAUSAL_TRANSFORMER.load(services.store(), lm, manager),
                    manager);
        } else {
            model = images ? ImageRewardModel.create(ImageRewardSpec.shapes(tokenizer.vocabSize()), manager)
                    : TextRewardModel.create(new TransformerSpec(tokenizer.vocabSize(), 128, 64, 4, 2, 256), manager);
        }
        context.message("Training on " + data.describe() + (startId != null ? " from " + startId
                : !settings.initFrom().isEmpty() ? " from the transformer of " + settings.initFrom() : " from scratch"));

        Encoder encoder;
        if (model instanceof ImageRewardModel imageModel) {
            int size = imageModel.spec().imageSize();
            Map<String, float[]> cache = ImagePairs.newCache();
            encoder = (m, pairs) -> {
                ImagePairs pixels = ImagePairs.fetch(services.feedback(), pairs, size, null, cache);
                NDArray[] batch = pixels.batch(m, java.util.stream.IntStream.range(0, pairs.size()).toArray());
                NDArray both = batch[0].concat(batch[1], 0);
                return imageModel.inputs(m, tokenizer, both, prompts(pairs));
            };
        } else {
            TextRewardModel textModel = (TextRewardModel) model;
            encoder = (m, pairs) -> {
                List<String> completions = new ArrayList<>();
                pairs.forEach(c -> completions.add(c.first().text()));
                pairs.forEach(c -> completions.add(c.second().text()));
                return textModel.inputs(m, tokenizer, prompts(pairs), completions);
            };
        }

        int batch = settings.training().batchSize();
        double margin = settings.margin();
        OptimizerStep optimizer = OptimizerStep.adam(model, (float) settings.training().learningRate());
        RewardTrainer trainer = new RewardTrainer(model, new BradleyTerryLoss(ties, settings.centerRewardsCoefficient()),
                optimizer);
        List<Comparison> training = data.training();
        Map<String, Double> last = this.training.run(job, context, model, optimizer, manager, (step, random) -> {
            List<Comparison> minibatch = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                minibatch.add(training.get(random.nextInt(training.size())));
            }
            boolean[] tieFlags = new boolean[batch];
            float[] margins = margin > 0 ? new float[batch] : null;
            for (int i = 0; i < batch; i++) {
                tieFlags[i] = !minibatch.get(i).decisive();
                if (margins != null) {
                    margins[i] = tieFlags[i] ? 0 : (float) margin;
                }
            }
            try (NDManager m = manager.newSubManager()) {
                return trainer.step(m, encoder.inputs(m, minibatch), margins, tieFlags).toMap();
            }
        });

        Map<String, Object> metrics = new LinkedHashMap<>(last);
        List<Comparison> decisiveTraining = training.stream().filter(Comparison::decisive).toList();
        float[] trainingRewards = scores(model, encoder, decisiveTraining, manager);
        RewardNormalizer normalizer = RewardNormalizer.fit(trainingRewards);
        metrics.putAll(normalizer.toMetrics());
        metrics.put("accuracy", accuracy(trainingRewards));
        List<Comparison> heldOut = data.heldOut().stream().filter(Comparison::decisive).toList();
        List<Comparison> evaluated = heldOut.isEmpty() ? decisiveTraining : heldOut;
        double accuracy = accuracy(scores(model, encoder, evaluated, manager));
        if (!heldOut.isEmpty()) {
            metrics.put("heldout_accuracy", accuracy);
            context.message("Held out: accuracy " + Evaluation.round(accuracy) + " on " + heldOut.size() + " pairs");
        }
        double parentAccuracy = parent == null ? 0 : accuracy(scores(parent, encoder, evaluated, manager));
        metrics.put("quality_regression", Math.max(0, parentAccuracy - accuracy));
        metrics.put("quality_regression_on", heldOut.isEmpty() ? "training" : "heldout");

        Manifest manifest = Manifest.of(new CheckpointId(job.model(), "next"), RewardModelCheckpoints.architecture(model),
                "reward_model").withParent(startId).withHyperparameters(job.hyperparameters()).withDataset(data.dataset(job))
                .withMetrics(metrics);
        return new Result(manifest, BlockWeights.of(model));
    }

    /** Rewards of each pair's two sides, interleaved as [first₀, second₀, first₁, second₁, …]. */
    private static float[] scores(Block model, Encoder encoder, List<Comparison> pairs, NDManager manager) {
        float[] out = new float[2 * pairs.size()];
        for (int start = 0; start < pairs.size(); start += EVAL_BATCH) {
            List<Comparison> chunk = pairs.subList(start, Math.min(pairs.size(), start + EVAL_BATCH));
            try (NDManager m = manager.newSubManager()) {
                float[] r = RewardTrainer.score(model, m, encoder.inputs(m, chunk));
                for (int i = 0; i < chunk.size(); i++) {
                    out[2 * (start + i)] = r[i];
                    out[2 * (start + i) + 1] = r[chunk.size() + i];
                }
            }
        }
        return out;
    }

    private static double accuracy(float[] interleaved) {
        int right = 0;
        for (int i = 0; i < interleaved.length; i += 2) {
            right += interleaved[i] > interleaved[i + 1] ? 1 : 0;
        }
        return interleaved.length == 0 ? 0 : right / (interleaved.length / 2.0);
    }

    private static List<String> prompts(List<Comparison> pairs) {
        List<String> prompts = new ArrayList<>();
        pairs.forEach(c -> prompts.add(c.prompt()));
        pairs.forEach(c -> prompts.add(c.prompt()));
        return prompts;
    }
}
