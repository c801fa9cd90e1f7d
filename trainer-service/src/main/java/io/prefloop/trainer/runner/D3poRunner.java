package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.model.diffusion.D3poLoss;
import io.prefloop.model.diffusion.D3poTrainer;
import io.prefloop.model.diffusion.DiffusionDpoLoss;
import io.prefloop.model.diffusion.DiffusionDpoTrainer;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.nn.OptimizerStep;
import io.prefloop.trainer.feedback.Comparison;
import io.prefloop.trainer.job.JobView;
import io.prefloop.trainer.job.Method;
import io.prefloop.trainer.job.settings.D3poSettings;
import io.prefloop.trainer.worker.JobContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.springframework.stereotype.Component;

/**
 * D3PO (Yang et al. 2024): per-step DPO on the sampling trajectories stored with the compared
 * candidates, with the clamped policy/reference ratio of {@link io.prefloop.model.diffusion.D3poLoss}.
 * The reference code (yk7333/d3po) updates on every step of each trajectory pair in turn; here each
 * update takes one step k, drawn uniformly, for a minibatch of pairs, which has the same
 * expectation. The last step is left out: it lands on x_0 with ᾱ_{−1} = 1, where DDIM's σ is 0, so
 * it is deterministic and has no likelihood ratio. Pairs whose trajectories were sampled with other settings than the first pair's are
 * left out (a batch shares its timesteps). Held-out metrics and {@code quality_regression} are
 * Diffusion-DPO's evaluation on the final images x_0, as for {@code diffusion_dpo}.
 */
@Component
class D3poRunner extends FineTuningRunner<D3poSettings, UNet> {

    D3poRunner(RunnerServices services) {
        super(services, Method.D3PO, D3poSettings.class, ModelFamilies.UNET_EPS);
    }

    private record Pair(Trajectories.Stored winner, Trajectories.Stored loser, int[] tokens) {}

    @Override
    protected Plan plan(JobView job, D3poSettings settings, JobContext context, Start<UNet> start,
            OptimizerStep optimizer, NDManager manager) {
        ComparisonSet data = ComparisonSet.read(services.feedback(), job,
                c -> Trajectories.present(c.first()) && Trajectories.present(c.second()));
        UNet policy = start.policy();
        List<Pair> training = load(data.training(), policy);
        List<Pair> heldOut = load(data.heldOut(), policy);
        Trajectories.Stored first = training.get(0).winner();
        int before = training.size();
        training.removeIf(p -> !same(p.winner(), first) || !same(p.loser(), first));
        heldOut.removeIf(p -> !same(p.winner(), first) || !same(p.loser(), first));
        if (training.isEmpty()) {
            throw new IllegalStateException("No training pair's trajectories share the first pair's sampler settings");
        }
        if (first.settings().steps() < 2 || !(first.settings().eta() > 0)) {
            throw new IllegalStateException("D3PO needs trajectories of at least 2 DDIM steps sampled with eta > 0");
        }
        context.message("Training on " + data.describe() + " from " + start.id() + "; trajectories of " + first.settings().steps()
                + " DDIM steps, eta " + first.settings().eta() + ", cfg " + first.settings().cfgScale()
                + (before > training.size() ? "; " + (before - training.size()) + " pairs sampled otherwise left out" : ""));
        D3poTrainer trainer = new D3poTrainer(policy, start.reference(), settings.loss(), optimizer, manager);
        int batch = settings.training().batchSize();

        return new Plan((step, random) -> {
            List<Pair> minibatch = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                minibatch.add(training.get(random.nextInt(training.size())));
            }
            int k = random.nextInt(first.settings().steps() - 1);
            try (NDManager m = manager.newSubManager()) {
                Sampler.Trajectory w = trajectory(m, minibatch, true, k, first);
                Sampler.Trajectory l = trajectory(m, minibatch, false, k, first);
                NDArray tokens = tokens(m, minibatch);
                return trainer.step(w, l, k, tokens, first.settings()).metrics();
            }
        }, c -> {
            Map<String, Object> metrics = new LinkedHashMap<>();
            boolean held = !heldOut.isEmpty();
            DiffusionDpoTrainer evaluation = new DiffusionDpoTrainer(policy, start.reference(),
                    new DiffusionDpoLoss(500, DiffusionDpoLoss.Type.SIGMOID), optimizer, manager);
            List<Pair> evaluated = held ? heldOut : training;
            Random random = new Random(job.seed());
            Map<String, Double> check = Evaluation.averaged(evaluated, 32, chunk -> {
                try (NDManager m = manager.newSubManager()) {
                    return evaluation.evaluate(finalImages(m, chunk, true), finalImages(m, chunk, false),
                            tokens(m, chunk), random).metrics();
                }
            });
            if (held) {
                metrics.put("heldout_implicit_acc", check.get("implicit_acc"));
                metrics.put("heldout_model_mse", check.get("model_mse"));
                metrics.put("heldout_ref_mse", check.get("ref_mse"));
            }
            metrics.put("quality_regression", Math.max(0, check.get("model_mse") / check.get("ref_mse") - 1));
            metrics.put("quality_regression_on", held ? "heldout" : "training");
            return metrics;
        }, data.dataset(job));
    }

    private List<Pair> load(List<Comparison> comparisons, UNet policy) {
        List<Pair> pairs = new ArrayList<>();
        for (Comparison c : comparisons) {
            pairs.add(new Pair(Trajectories.load(services.store().root(), c.first()),
                    Trajectories.load(services.store().root(), c.second()), policy.spec().tokenizer().encode(c.prompt())));
        }
        return pairs;
    }

    private static boolean same(Trajectories.Stored a, Trajectories.Stored b) {
        return a.settings().equals(b.settings()) && java.util.Arrays.equals(a.row().timesteps(), b.row().timesteps())
                && a.row().imageShape().equals(b.row().imageShape());
    }

    /** A batched trajectory holding only x_k and x_{k+1} (all D3PO's step reads). */
    private static Sampler.Trajectory trajectory(NDManager m, List<Pair> pairs, boolean winners, int k,
            Trajectories.Stored like) {
        List<NDArray> latents = new ArrayList<>();
        for (int i = 0; i <= like.settings().steps(); i++) {
            latents.add(i == k || i == k + 1 ? stack(m, pairs, winners, i, like) : null);
        }
        return new Sampler.Trajectory(latents, List.of(), like.row().timesteps());
    }

    private static NDArray stack(NDManager m, List<Pair> pairs, boolean winners, int index, Trajectories.Stored like) {
        int size = like.row().latents()[0].length;
        float[] flat = new float[pairs.size() * size];
        for (int i = 0; i < pairs.size(); i++) {
            Trajectories.Stored t = winners ? pairs.get(i).winner() : pairs.get(i).loser();
            System.arraycopy(t.row().latents()[index], 0, flat, i * size, size);
        }
        Shape image = like.row().imageShape();
        long[] shape = new long[image.dimension() + 1];
        shape[0] = pairs.size();
        System.arraycopy(image.getShape(), 0, shape, 1, image.dimension());
        return m.create(flat, new Shape(shape));
    }

    private static NDArray finalImages(NDManager m, List<Pair> pairs, boolean winners) {
        Trajectories.Stored like = pairs.get(0).winner();
        return stack(m, pairs, winners, like.settings().steps(), like);
    }

    private static NDArray tokens(NDManager m, List<Pair> pairs) {
        int length = pairs.get(0).tokens().length;
        int[] flat = new int[pairs.size() * length];
        for (int i = 0; i < pairs.size(); i++) {
            System.arraycopy(pairs.get(i).tokens(), 0, flat, i * length, length);
        }
        return m.create(flat, new Shape(pairs.size(), length));
    }
}
