package io.prefloop.experiments.shapes;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.prefloop.experiments.Arguments;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.diffusion.Gaussian;
import io.prefloop.model.diffusion.Noising;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.Tensors;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.diffusion.rl.DdpoConfig;
import io.prefloop.model.diffusion.rl.DdpoTrainer;
import io.prefloop.model.diffusion.rl.DpokConfig;
import io.prefloop.model.diffusion.rl.DpokLoss;
import io.prefloop.model.diffusion.rl.DpokTrainer;
import io.prefloop.model.diffusion.rl.OracleReward;
import io.prefloop.model.diffusion.rl.PerPromptStatTracker;
import io.prefloop.model.diffusion.rl.PolicyWithValue;
import io.prefloop.model.diffusion.rl.RewardFunction;
import io.prefloop.model.diffusion.rl.Rollout;
import io.prefloop.model.diffusion.rl.TrajectoryKl;
import io.prefloop.model.diffusion.rl.ValueNetwork;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.model.shapes.AlignmentEval;
import io.prefloop.model.shapes.PretrainingSet;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.Scene;
import io.prefloop.model.shapes.ShapesBatch;
import io.prefloop.model.shapes.ShapesModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * DDPO and DPOK from the shapes base with the oracle's graded score as the reward (docs/rl.md, "DDPO
 * and DPOK (diffusion models)"). Per seed and method: {@code --rounds} rounds of sampling
 * {@code --batch} images (random pretrained prompts, 25-step DDIM, η = 1, CFG 3) and training on them;
 * then the oracle's alignment on 240 held-out seeds (η = 0 as the other experiments, and η = 1 as
 * trained), the denoising-error regression on rendered clean images (model MSE / reference MSE − 1,
 * same noise and t), and the trajectory KL to the base on fresh samples. Every {@code --kl-every}
 * rounds it prints (round, reward, KL): the reward-vs-KL curve.
 *
 * <pre>
 * java ... io.prefloop.experiments.shapes.PolicyGradientExperiment --method both --seeds 1,2,3
 * </pre>
 */
public final class PolicyGradientExperiment {

    record Outcome(String method, long seed, double rewardBefore, double rewardAfter, double alignBefore,
            double alignAfter, double alignEta1Before, double alignEta1After, double kl, double regression,
            double seconds) {}

    public static void main(String[] argv) {
        Arguments a = new Arguments(argv);
        Path storeDir = Path.of(a.string("store", "shared-model/checkpoints"));
        CheckpointId baseId = CheckpointId.parse(a.string("base", ShapesModel.BASE.toString()));
        String method = a.string("method", "both");
        String seedList = a.string("seeds", "1,2,3");
        int rounds = a.integer("rounds", 20);
        int batch = a.integer("batch", 32);
        int trainBatch = a.integer("train-batch", 32);
        int innerEpochs = a.integer("inner-epochs", 1);
        double fraction = a.number("timestep-fraction", 0.5);
        double lr = a.number("lr", 2e-5);
        double klWeight = a.number("kl-weight", 0.1);
        int valueHidden = a.integer("value-hidden", 128);
        double valueLr = a.number("value-lr", 1e-3);
        double cfg = a.number("cfg", 3);
        int sampleSteps = a.integer("sample-steps", 10);
        int evalN = a.integer("eval", 120);
        int klEvery = a.integer("kl-every", 5);
        if (!a.finish(System.out)) {
            return;
        }
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(storeDir);
        // evaluated as the other experiments (25 DDIM steps, η = 0) and with the sampler trained
        SamplerSettings eta0 = SamplerSettings.ddim(25, cfg);
        SamplerSettings eta1 = SamplerSettings.ddim(sampleSteps, cfg).withEta(1);
        List<Prompt> prompts = Prompt.pretrained();
        RewardFunction reward = new OracleReward(ShapesModel.IMAGE_SIZE);
        List<Outcome> outcomes = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            UNet base = ShapesModel.load(store, baseId, m);
            base.freezeParameters(true);
            Sampler baseSampler = new Sampler(base, null, base.spec());
            AlignmentEval.Result base0 = AlignmentEval.run(baseSampler, m, prompts, evalN, 5_000_000, eta0, 80);
            AlignmentEval.Result base1 = AlignmentEval.run(baseSampler, m, prompts, evalN, 5_000_000, eta1, 80);
            System.out.printf("base: alignment %.3f (25 steps, eta 0), %.3f (training sampler), mean oracle score %.3f (training sampler)%n",
                    base0.alignment(), base1.alignment(), base1.meanScore());
            for (String s : seedList.split(",")) {
                long seed = Long.parseLong(s.trim());
                for (String mth : method.equals("both") ? List.of("ddpo", "dpok") : List.of(method)) {
                    long t0 = System.nanoTime();
                    Engine.getInstance().setRandomSeed((int) seed);
                    UNet policy = ShapesModel.frozenCopy(base, m);
                    policy.freezeParameters(false);
                    Random rng = new Random(seed);
                    Trainer trainer = trainer(mth, policy, base, m, lr, trainBatch, innerEpochs, fraction, klWeight,
                            valueHidden, valueLr, sampleSteps);
                    double first = Double.NaN;
                    double last = Double.NaN;
                    for (int round = 1; round <= rounds; round++) {
                        List<String> texts = new ArrayList<>();
                        long[] seeds = new long[batch];
                        for (int i = 0; i < batch; i++) {
                            texts.add(prompts.get(rng.nextInt(prompts.size())).text());
                            seeds[i] = seed * 100_000_000L + (long) round * batch + i;
                        }
                        Rollout rollout = Rollout.sample(policy, m, texts, seeds, eta1, reward);
                        Map<String, Double> metrics = trainer.train(rollout, rng);
                        first = round == 1 ? rollout.meanReward() : first;
                        last = rollout.meanReward();
                        if (round % klEvery == 0 || round == 1) {
                            double kl = kl(policy, base, m, prompts, eta1, reward, 8);
                            System.out.printf("  %s seed %d round %d reward %.3f kl %.4f %s (%.0f s)%n", mth, seed, round,
                                    rollout.meanReward(), kl, brief(metrics), (System.nanoTime() - t0) / 1e9);
                        }
                    }
                    policy.freezeParameters(true);
                    Sampler tuned = new Sampler(policy, null, policy.spec());
                    AlignmentEval.Result after0 = AlignmentEval.run(tuned, m, prompts, evalN, 5_000_000, eta0, 80);
                    AlignmentEval.Result after1 = AlignmentEval.run(tuned, m, prompts, evalN, 5_000_000, eta1, 80);
                    double kl = kl(policy, base, m, prompts, eta1, reward, 32);
                    double regression = denoisingRegression(policy, base, m, prompts, evalN);
                    Outcome o = new Outcome(mth, seed, base1.meanScore(), after1.meanScore(), base0.alignment(),
                            after0.alignment(), base1.alignment(), after1.alignment(), kl, regression,
                            (System.nanoTime() - t0) / 1e9);
                    outcomes.add(o);
                    System.out.printf("| %s | %d | %.3f → %.3f | %.3f → %.3f (%+.1f) | %.3f → %.3f (%+.1f) | %.4f | %+.4f | %.0f s |"
                            + " (training rewards %.3f → %.3f)%n", mth, seed, o.rewardBefore(), o.rewardAfter(),
                            o.alignBefore(), o.alignAfter(), 100 * (o.alignAfter() - o.alignBefore()),
                            o.alignEta1Before(), o.alignEta1After(), 100 * (o.alignEta1After() - o.alignEta1Before()),
                            o.kl(), o.regression(), o.seconds(), first, last);
                }
            }
        }
        summary(outcomes);
    }

    /** One method's training on a rollout. */
    interface Trainer {
        Map<String, Double> train(Rollout rollout, Random rng);
    }

    static Trainer trainer(String method, UNet policy, UNet base, NDManager m, double lr, int trainBatch,
            int innerEpochs, double fraction, double klWeight, int valueHidden, double valueLr, int steps) {
        if (method.equals("ddpo")) {
            DdpoTrainer ddpo = new DdpoTrainer(policy, base, OptimizerStep.adam(policy, (float) lr).clipGradNorm(1),
                    new DdpoConfig(trainBatch, innerEpochs, fraction, 1e-4, 5), m);
            PerPromptStatTracker tracker = new PerPromptStatTracker(16, 16);
            return (rollout, rng) -> ddpo.train(rollout, tracker.update(rollout.prompts(), rollout.rewards()), rng);
        }
        ValueNetwork value = ValueNetwork.create(3 * ShapesModel.IMAGE_SIZE * ShapesModel.IMAGE_SIZE,
                policy.spec().vocabulary().size(), steps, valueHidden, m);
        PolicyWithValue both = new PolicyWithValue(policy, value);
        DpokTrainer dpok = new DpokTrainer(both, base, OptimizerStep.adam(both, (float) lr).clipGradNorm(1)
                .rateFactor(value, valueLr / lr),
                new DpokLoss(klWeight, 1e-4), new DpokConfig(trainBatch, innerEpochs, fraction, 256), m);
        return dpok::train;
    }

    /** Trajectory KL to the base on fresh policy samples of {@code n} fixed seeds. */
    static double kl(UNet policy, UNet base, NDManager m, List<Prompt> prompts, SamplerSettings s, RewardFunction reward,
            int n) {
        List<String> texts = new ArrayList<>();
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            texts.add(prompts.get(i % prompts.size()).text());
            seeds[i] = 7_000_000 + i;
        }
        return TrajectoryKl.of(policy, base, Rollout.sample(policy, m, texts, seeds, s, reward), m);
    }

    /**
     * Denoising error on rendered (clean) images of the prompts, policy over base minus 1: the same
     * images, t and noise for both, as the other diffusion runners' {@code quality_regression}.
     */
    static double denoisingRegression(UNet policy, UNet base, NDManager m, List<Prompt> prompts, int n) {
        Random rng = new Random(424242);
        double model = 0;
        double ref = 0;
        ParameterStore ps = new ParameterStore(m, false);
        for (int start = 0; start < n; start += 80) {
            int k = Math.min(80, n - start);
            List<Scene> scenes = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                Prompt p = prompts.get((start + i) % prompts.size());
                scenes.add(PretrainingSet.randomScene(p.colour(), p.shape(), ShapesModel.IMAGE_SIZE, rng));
                texts.add(p.text());
            }
            try (NDManager s = m.newSubManager()) {
                NDArray x0 = ShapesBatch.images(s, scenes, ShapesModel.IMAGE_SIZE);
                int[] t = Noising.sampleTimesteps(base.spec().noiseSchedule(), k, rng);
                NDArray noise = Gaussian.noise(s, x0.getShape(), rng);
                NDArray xt = Noising.addNoise(base.spec().noiseSchedule(), x0, noise, t);
                NDArray tokens = base.spec().tokenizer().encode(s, texts);
                NDArray tt = s.create(t);
                NDArray cond = s.zeros(new ai.djl.ndarray.types.Shape(k));
                model += k * Tensors.perSampleMse(policy.predict(ps, xt, tt, tokens, cond, false), noise).mean().getFloat();
                ref += k * Tensors.perSampleMse(base.predict(ps, xt, tt, tokens, cond, false), noise).mean().getFloat();
            }
        }
        return model / ref - 1;
    }

    private static String brief(Map<String, Double> metrics) {
        Map<String, String> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> out.put(k, String.format("%.4g", v)));
        return out.toString();
    }

    private static void summary(List<Outcome> outcomes) {
        for (String method : List.of("ddpo", "dpok")) {
            List<Outcome> mine = outcomes.stream().filter(o -> o.method().equals(method)).toList();
            if (mine.isEmpty()) {
                continue;
            }
            double[] d0 = mine.stream().mapToDouble(o -> 100 * (o.alignAfter() - o.alignBefore())).toArray();
            double[] d1 = mine.stream().mapToDouble(o -> 100 * (o.alignEta1After() - o.alignEta1Before())).toArray();
            double[] reg = mine.stream().mapToDouble(Outcome::regression).toArray();
            double[] kl = mine.stream().mapToDouble(Outcome::kl).toArray();
            double[] gain = mine.stream().mapToDouble(o -> o.rewardAfter() - o.rewardBefore()).toArray();
            System.out.printf("%s over %d seeds: Δalignment η0 %s (worst %+.1f), Δalignment η1 %s (worst %+.1f),"
                    + " reward gain %s, KL %s, quality_regression %s (worst %+.4f)%n", method, mine.size(),
                    meanSd(d0, "%+.1f"), min(d0), meanSd(d1, "%+.1f"), min(d1), meanSd(gain, "%+.3f"),
                    meanSd(kl, "%.4f"), meanSd(reg, "%+.4f"), max(reg));
        }
    }

    static String meanSd(double[] v, String format) {
        double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
        double var = 0;
        for (double x : v) {
            var += (x - mean) * (x - mean);
        }
        double sd = v.length > 1 ? Math.sqrt(var / (v.length - 1)) : 0;
        return String.format(format, mean) + " ± " + String.format(format.replace("+", ""), sd);
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }
}
