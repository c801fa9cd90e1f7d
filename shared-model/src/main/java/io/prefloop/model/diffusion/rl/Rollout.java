package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of trajectories sampled from the current policy (DDIM with η &gt; 0 and CFG), with the
 * log-probability of every step as sampled and a reward per final image. Held in Java arrays, so
 * that a training round can gather any (row, step) without keeping native memory alive.
 *
 * @param latents [k][row · pixels]: x at step k (k = 0 is x_T, k = steps is x_0)
 * @param logProbs [k][row]: log π_old(x_{k+1} | x_k), mean over pixels
 */
public record Rollout(List<String> prompts, SamplerSettings settings, int[] timesteps, Shape imageShape,
        float[][] latents, float[][] logProbs, double[] rewards) {

    /** Samples {@code prompts} (one image each, seeded by {@code seeds}) from {@code policy} and scores them. */
    public static Rollout sample(UNet policy, NDManager manager, List<String> prompts, long[] seeds,
            SamplerSettings settings, RewardFunction reward) {
        if (!(settings.eta() > 0) || settings.sampler() != SamplerSettings.Kind.DDIM) {
            throw new IllegalArgumentException("policy-gradient training needs DDIM with eta > 0 (log-probabilities)");
        }
        try (NDManager m = manager.newSubManager()) {
            List<Sampler.Trajectory> out = new ArrayList<>();
            NDArray images = new Sampler(policy, null, policy.spec()).sample(m, prompts, seeds, settings, out);
            Sampler.Trajectory t = out.get(0);
            float[][] latents = new float[t.latents().size()][];
            for (int k = 0; k < latents.length; k++) {
                latents[k] = t.latents().get(k).toFloatArray();
            }
            float[][] logProbs = new float[t.logProbs().size()][];
            for (int k = 0; k < logProbs.length; k++) {
                logProbs[k] = t.logProbs().get(k).toFloatArray();
            }
            Shape shape = images.getShape();
            Shape image = shape.slice(1);
            return new Rollout(List.copyOf(prompts), settings, t.timesteps(), image, latents, logProbs,
                    reward.score(images, prompts));
        }
    }

    public int size() {
        return prompts.size();
    }

    /**
     * The steps a log-probability exists for: those with σ &gt; 0, i.e. all but the last, whose DDIM σ is 0
     * because ᾱ_{−1} = 1 (ddpo-pytorch clamps that step's previous timestep to 0 instead, giving it a
     * small σ; here it is left out, as in D3PO).
     */
    public int usableSteps() {
        return timesteps.length - 1;
    }

    public double meanReward() {
        double s = 0;
        for (double r : rewards) {
            s += r;
        }
        return s / rewards.length;
    }

    /** The final images (N, C, H, W) clipped to [−1, 1]. */
    public NDArray images(NDManager m) {
        int[] rows = new int[size()];
        int[] steps = new int[size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
            steps[i] = timesteps.length;
        }
        return stack(m, rows, steps).clip(-1, 1);
    }

    /** Row i of the result: x at step {@code steps[i]} of trajectory {@code rows[i]}. */
    NDArray stack(NDManager m, int[] rows, int[] steps) {
        int pixels = (int) imageShape.size();
        float[] flat = new float[rows.length * pixels];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(latents[steps[i]], rows[i] * pixels, flat, i * pixels, pixels);
        }
        long[] dims = new long[imageShape.dimension() + 1];
        dims[0] = rows.length;
        System.arraycopy(imageShape.getShape(), 0, dims, 1, imageShape.dimension());
        return m.create(flat, new Shape(dims));
    }

    /** The transitions k → k + 1 of the given (row, step) pairs, for one training pass. */
    public Transitions transitions(NDManager m, UNet policy, int[] rows, int[] steps) {
        int n = rows.length;
        int[] next = new int[n];
        int[] t = new int[n];
        int[] prev = new int[n];
        float[] old = new float[n];
        List<String> texts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            next[i] = steps[i] + 1;
            t[i] = timesteps[steps[i]];
            prev[i] = policy.spec().noiseSchedule().previousTimestep(t[i], settings.steps());
            old[i] = logProbs[steps[i]][rows[i]];
            texts.add(prompts.get(rows[i]));
        }
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = rewards[rows[i]];
        }
        return new Transitions(stack(m, rows, steps), stack(m, rows, next), m.create(old), t, prev, steps.clone(),
                policy.spec().tokenizer().encode(m, texts), r);
    }
}
