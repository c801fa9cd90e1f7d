package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates images: the settings' {@link ReverseStep} (DDIM, DDPM) over the sampler's timesteps,
 * ε̂ from classifier-free guidance or, when a reward policy is given and w_rg ≠ 0, DCO reward guidance. Each image has its
 * own seed, which fixes its initial noise and every step's noise whatever the batch: the same seed
 * under two models gives a paired comparison.
 */
public final class Sampler {

    /** The latents x_T..x_0 and the log-probability of each step (for D3PO, DDPO). */
    public record Trajectory(List<NDArray> latents, List<NDArray> logProbs, int[] timesteps) {}

    private final EpsilonNetwork model;
    private final EpsilonNetwork rewardPolicy;
    private final UNetSpec spec;
    private final NoiseSchedule schedule;

    /**
     * @param model the network sampled from (the reference under reward guidance)
     * @param rewardPolicy the fine-tuned network for reward guidance, or null
     */
    public Sampler(EpsilonNetwork model, EpsilonNetwork rewardPolicy, UNetSpec spec) {
        this.model = model;
        this.rewardPolicy = rewardPolicy;
        this.spec = spec;
        this.schedule = spec.noiseSchedule();
    }

    /** Images (N, C, H, W) clipped to [−1, 1], attached to {@code m}. */
    public NDArray sample(NDManager m, List<String> prompts, long[] seeds, SamplerSettings s) {
        return run(m, prompts, null, seeds, s, null);
    }

    /** Also records the trajectory (its arrays attached to {@code m}). */
    public NDArray sample(NDManager m, List<String> prompts, long[] seeds, SamplerSettings s, List<Trajectory> out) {
        return run(m, prompts, null, seeds, s, out);
    }

    /** With a negative prompt in place of ∅ for the unconditional branch. */
    public NDArray sample(NDManager m, List<String> prompts, String negativePrompt, long[] seeds, SamplerSettings s) {
        return run(m, prompts, negativePrompt, seeds, s, null);
    }

    private NDArray run(NDManager m, List<String> prompts, String negative, long[] seeds, SamplerSettings s,
            List<Trajectory> trajectoryOut) {
        int n = prompts.size();
        Shape shape = new Shape(n, spec.channels(), spec.imageSize(), spec.imageSize());
        Random[] rngs = new Random[n];
        for (int i = 0; i < n; i++) {
            rngs[i] = new Random(seeds[i]);
        }
        ParameterStore ps = new ParameterStore(m, false);
        int[] ts = schedule.samplingTimesteps(s.steps());
        ReverseStep reverseStep = s.sampler().step();
        List<NDArray> latents = new ArrayList<>();
        List<NDArray> logProbs = new ArrayList<>();
        try (NDManager outer = m.newSubManager()) {
            NDArray tokens = spec.tokenizer().encode(outer, prompts);
            NDArray negTokens = negative == null ? null
                    : spec.tokenizer().encode(outer, java.util.Collections.nCopies(n, negative));
            NDArray x = noise(outer, shape, rngs);
            if (trajectoryOut != null) {
                latents.add(x.duplicate());
            }
            for (int t : ts) {
                int prev = schedule.previousTimestep(t, s.steps());
                NDManager stepM = outer.newSubManager();
                x.attach(stepM); // the old latent is freed with the step
                int[] tv = new int[n];
                java.util.Arrays.fill(tv, t);
                NDArray tt = stepM.create(tv);
                NDArray eps = rewardPolicy != null && s.rewardGuidanceScale() != 0
                        ? GuidedEpsilon.rewardGuided(rewardPolicy, model, ps, x, tt, tokens, negTokens,
                                s.cfgScale(), s.rewardGuidanceScale())
                        : GuidedEpsilon.cfg(model, ps, x, tt, tokens, negTokens, s.cfgScale());
                NDArray z = noise(stepM, shape, rngs);
                SamplerStep step = reverseStep.step(schedule, x, eps, t, prev, s, z);
                NDArray next = step.prevSample();
                if (trajectoryOut != null) {
                    NDArray lp = step.sigma() > 0 ? step.logProb() : stepM.zeros(new Shape(n));
                    lp.attach(outer);
                    logProbs.add(lp);
                    NDArray keep = next.duplicate();
                    keep.attach(outer);
                    latents.add(keep);
                }
                next.attach(outer);
                stepM.close();
                x = next;
            }
            NDArray images = x.clip(-1, 1);
            images.attach(m);
            if (trajectoryOut != null) {
                latents.forEach(a -> a.attach(m));
                logProbs.forEach(a -> a.attach(m));
                trajectoryOut.add(new Trajectory(latents, logProbs, ts));
            }
            return images;
        }
    }

    /** One standard normal draw per image from that image's own generator. */
    private static NDArray noise(NDManager m, Shape shape, Random[] rngs) {
        int per = (int) (shape.size() / shape.get(0));
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < rngs.length; i++) {
            for (int j = 0; j < per; j++) {
                v[i * per + j] = (float) rngs[i].nextGaussian();
            }
        }
        return m.create(v, shape);
    }
}
