package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.diffusion.DiffusionDpoLoss;
import io.prefloop.model.diffusion.DiffusionDpoTrainer;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.diffusion.rl.OracleReward;
import io.prefloop.model.diffusion.rl.RewardFunction;
import io.prefloop.model.diffusion.rl.RewardModelReward;
import io.prefloop.model.diffusion.rl.Rollout;
import io.prefloop.model.diffusion.rl.TrajectoryKl;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.RewardModelCheckpoints;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.trainer.feedback.Comparison;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.MethodSettings;
import io.prefloop.trainer.job.settings.PolicyGradientSettings;
import io.prefloop.trainer.job.settings.RewardSource;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The skeleton of the online policy-gradient methods for diffusion models (DDPO, DPOK): the model's
 * current checkpoint is the policy, a frozen copy the reference. The prompts are the distinct
 * prompts of the project's comparisons, split by prompt into training and held-out as for the other
 * methods. Each step samples {@code samples_per_step} images for random training prompts from the
 * policy, scores them with the job's reward (the shapes oracle, or a reward model checkpoint on
 * its normaliser's scale) and lets the method learn from the rollout; it reports the rollout's
 * reward and, for the divergence guard, {@code model_mse} and {@code ref_mse}: the denoising error
 * of the policy and the reference on a few of the comparisons' images (same t and noise), which is
 * what reward hacking destroys first. Resuming, snapshots and publishing once are the shared
 * machinery's ({@link ResumableTraining}, {@link CheckpointRunner}).
 *
 * <p>After the last step: the mean reward of policy and reference on the held-out prompts (fixed
 * seeds), the trajectory KL between them, and {@code quality_regression} = max(0, model_mse /
 * ref_mse − 1) over the held-out comparisons' images, as the other diffusion methods report it.
 */
abstract class PolicyGradientRunner<S extends MethodSettings & PolicyGradientSettings> extends CheckpointRunner {

    static final int PROBE_PAIRS = 4;
    static final int EVAL_IMAGES = 32;

    /** What a method trains: the block the optimizer (and a snapshot) covers, and one round on a rollout. */
    protected interface Learner {
        Block trained();

        OptimizerStep optimizer();

        Map<String, Double> train(Rollout rollout, Random random);
    }

    private final Method method;
    private final Class<S> settingsType;

    PolicyGradientRunner(RunnerServices services, Method method, Class<S> settingsType) {
        super(services);
        this.method = method;
        this.settingsType = settingsType;
    }

    @Override
    public final boolean supports(Method method) {
        return method == this.method;
    }

    protected abstract Learner learner(S settings, UNet policy, UNet reference, NDManager manager);

    @Override
    protected final Result train(JobView job, JobContext context, NDManager manager) {
        S settings = job.settings(settingsType);
        CheckpointId startId = services.current(job.model());
        UNet policy = ModelFamilies.UNET_EPS.load(services.store(), startId, manager);
        UNet reference = ModelFamilies.UNET_EPS.frozenCopy(policy, manager);
        RewardSource source = settings.rewardSource();
        ComparisonSet data = comparisons(job);
        List<String> trainingPrompts = prompts(data.training(), source);
        List<String> heldOutPrompts = prompts(data.heldOut(), source);
        if (trainingPrompts.isEmpty()) {
            throw new IllegalStateException("None of the training comparisons' prompts is a shapes prompt (\"a red circle\")"
                    + ", which the oracle reward needs; name a reward model checkpoint as reward instead");
        }
        RewardFunction reward = reward(source, policy, manager);
        int size = policy.spec().imageSize();
        Map<String, float[]> cache = ImagePairs.newCache();
        ImagePairs probe = ImagePairs.fetch(services.feedback(), data.training().subList(0,
                Math.min(PROBE_PAIRS, data.training().size())), size, policy.spec().tokenizer(), cache);
        Learner learner = learner(settings, policy, reference, manager);
        DiffusionDpoTrainer denoising = new DiffusionDpoTrainer(policy, reference,
                new DiffusionDpoLoss(500, DiffusionDpoLoss.Type.SIGMOID), learner.optimizer(), manager);
        SamplerSettings sampling = settings.sampler();
        context.message("Training on the " + trainingPrompts.size() + " prompts of " + data.describe() + " from "
                + startId + "; reward " + settings.reward() + ", " + settings.samplesPerStep() + " images per step");

        Map<String, Double> last = training.run(job, context, learner.trained(), learner.optimizer(), manager,
                (step, random) -> {
                    List<String> texts = new ArrayList<>();
                    long[] seeds = new long[settings.samplesPerStep()];
                    for (int i = 0; i < seeds.length; i++) {
                        texts.add(trainingPrompts.get(random.nextInt(trainingPrompts.size())));
                        seeds[i] = random.nextLong();
                    }
                    Rollout rollout = Rollout.sample(policy, manager, texts, seeds, sampling, reward);
                    Map<String, Double> metrics = new LinkedHashMap<>(learner.train(rollout, random));
                    metrics.put("reward_mean", rollout.meanReward());
                    Map<String, Double> check = denoising(denoising, probe, random, manager);
                    metrics.put("model_mse", check.get("model_mse"));
                    metrics.put("ref_mse", check.get("ref_mse"));
                    return metrics;
                });

        Map<String, Object> metrics = new LinkedHashMap<>(last);
        boolean held = !heldOutPrompts.isEmpty();
        String prefix = held ? "heldout_" : "training_";
        List<String> evalPrompts = held ? heldOutPrompts : trainingPrompts;
        List<String> texts = new ArrayList<>();
        long[] seeds = new long[EVAL_IMAGES];
        for (int i = 0; i < EVAL_IMAGES; i++) {
            texts.add(evalPrompts.get(i % evalPrompts.size()));
            seeds[i] = job.seed() + i;
        }
        Rollout tuned = Rollout.sample(policy, manager, texts, seeds, sampling, reward);
        Rollout start = Rollout.sample(reference, manager, texts, seeds, sampling, reward);
        metrics.put(prefix + "reward", tuned.meanReward());
        metrics.put(prefix + "reward_reference", start.meanReward());
        metrics.put(prefix + "kl", TrajectoryKl.of(policy, reference, tuned, manager));
        List<Comparison> evalPairs = held && !data.heldOut().isEmpty() ? data.heldOut() : data.training();
        ImagePairs pairs = ImagePairs.fetch(services.feedback(), evalPairs, size, policy.spec().tokenizer(), cache);
        Random random = new Random(job.seed());
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < DiffusionDpoRunner.EVAL_REPEATS; r++) {
            IntStream.range(0, pairs.size()).forEach(rows::add);
        }
        Map<String, Double> quality = Evaluation.averaged(rows, 32, chunk -> {
            try (NDManager m = manager.newSubManager()) {
                NDArray[] inputs = pairs.batch(m, chunk.stream().mapToInt(Integer::intValue).toArray());
                return denoising.evaluate(inputs[0], inputs[1], inputs[2], random).metrics();
            }
        });
        metrics.put(prefix + "model_mse", quality.get("model_mse"));
        metrics.put(prefix + "ref_mse", quality.get("ref_mse"));
        metrics.put("quality_regression", Math.max(0, quality.get("model_mse") / quality.get("ref_mse") - 1));
        metrics.put("quality_regression_on", held ? "heldout" : "training");
        context.message((held ? "Held out" : "On the training prompts") + ": reward " + Evaluation.round(tuned.meanReward())
                + " (start " + Evaluation.round(start.meanReward()) + "), KL " + Evaluation.round((Double) metrics.get(prefix + "kl"))
                + ", quality_regression " + Evaluation.round((Double) metrics.get("quality_regression")));

        Map<String, Object> dataset = new LinkedHashMap<>(data.dataset(job));
        dataset.put("prompts", trainingPrompts.size());
        dataset.put("heldout_prompts", heldOutPrompts.size());
        dataset.put("reward", settings.reward());
        Manifest manifest = Manifest.of(new CheckpointId(job.model(), "next"), ModelFamilies.UNET_EPS.architecture(policy),
                        method.json())
                .withParent(startId).withReference(startId).withHyperparameters(job.hyperparameters())
                .withDataset(dataset).withMetrics(metrics);
        return new Result(manifest, BlockWeights.of(policy));
    }

    private ComparisonSet comparisons(JobView job) {
        try {
            return ComparisonSet.read(services.feedback(), job, ImagePairs::usable);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(method.json() + " samples its own images for the prompts of the project's"
                    + " image comparisons, and needs at least one judged pair to know them: " + e.getMessage(), e);
        }
    }

    /** The distinct prompts, in feed order; for the oracle only the shapes prompts it can judge. */
    private static List<String> prompts(List<Comparison> comparisons, RewardSource source) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (Comparison c : comparisons) {
            if (source.model().isPresent() || isShapesPrompt(c.prompt())) {
                out.add(c.prompt());
            }
        }
        return List.copyOf(out);
    }

    private static boolean isShapesPrompt(String prompt) {
        try {
            Prompt.parse(prompt);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private RewardFunction reward(RewardSource source, UNet policy, NDManager manager) {
        if (source.model().isEmpty()) {
            return new OracleReward(policy.spec().imageSize());
        }
        CheckpointId id = source.model().get();
        if (!(RewardModelCheckpoints.load(services.store(), id, manager) instanceof ImageRewardModel model)) {
            throw new IllegalStateException("The reward " + id + " is not an image reward model");
        }
        if (model.spec().imageSize() != policy.spec().imageSize()) {
            throw new IllegalStateException("The reward model " + id + " scores " + model.spec().imageSize() + "-pixel images;"
                    + " the policy makes " + policy.spec().imageSize());
        }
        model.freezeParameters(true);
        return new RewardModelReward(model, RewardModelCheckpoints.normalizer(
                services.store().manifest(id).orElseThrow().metrics()));
    }

    private static Map<String, Double> denoising(DiffusionDpoTrainer trainer, ImagePairs probe, Random random,
            NDManager manager) {
        try (NDManager m = manager.newSubManager()) {
            NDArray[] inputs = probe.batch(m, IntStream.range(0, probe.size()).toArray());
            return trainer.evaluate(inputs[0], inputs[1], inputs[2], random).metrics();
        }
    }
}
