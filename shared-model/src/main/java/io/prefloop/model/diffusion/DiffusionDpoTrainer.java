package io.prefloop.model.diffusion;

import io.prefloop.model.nn.OptimizerStep;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Random;

/**
 * One Diffusion-DPO update (Wallace et al. 2023, Algorithm 1): a t and a noise ε per pair, shared by
 * winner and loser; the policy sees [winners; losers] in one forward pass, the frozen reference the
 * same rows outside the gradient collector (so it receives no gradient); {@link DiffusionDpoLoss}
 * on the per-sample MSEs. Each step runs in its own NDManager, closed at the end, so that memory
 * stays flat over long jobs.
 */
public final class DiffusionDpoTrainer {

    private final UNet policy;
    private final UNet reference;
    private final NoiseSchedule schedule;
    private final DiffusionDpoLoss loss;
    private final OptimizerStep update;
    private final ParameterStore trainStore;
    private final ParameterStore frozenStore;

    public DiffusionDpoTrainer(UNet policy, UNet reference, DiffusionDpoLoss loss, OptimizerStep update,
            NDManager manager) {
        this.policy = policy;
        this.reference = reference;
        this.schedule = policy.spec().noiseSchedule();
        this.loss = loss;
        this.update = update;
        this.trainStore = new ParameterStore(manager, false);
        this.frozenStore = new ParameterStore(manager, false);
    }

    /**
     * @param winners preferred images (N, C, H, W) in [−1, 1]; losers likewise, row i paired with row i
     * @param tokens prompt tokens (N, L) of each pair
     */
    public LossResult step(NDArray winners, NDArray losers, NDArray tokens, Random rng) {
        return run(winners, losers, tokens, rng, true);
    }

    /**
     * The same loss and metrics without a gradient or an update (for held-out pairs): with the same
     * {@code rng} state, the same timesteps and noise as a training step would draw.
     */
    public LossResult evaluate(NDArray winners, NDArray losers, NDArray tokens, Random rng) {
        return run(winners, losers, tokens, rng, false);
    }

    private LossResult run(NDArray winners, NDArray losers, NDArray tokens, Random rng, boolean train) {
        try (NDManager m = winners.getManager().newSubManager()) {
            // everything derived from the inputs then lands in m and is freed with it
            winners.tempAttach(m);
            losers.tempAttach(m);
            tokens.tempAttach(m);
            int n = (int) winners.getShape().get(0);
            int[] t = Noising.sampleTimesteps(schedule, n, rng);
            NDArray noise = Gaussian.noise(m, winners.getShape(), rng);
            NDArray x0 = Tensors.concat(winners, losers);
            NDArray eps = Tensors.concat(noise, noise);
            int[] t2 = new int[2 * n];
            System.arraycopy(t, 0, t2, 0, n);
            System.arraycopy(t, 0, t2, n, n);
            NDArray xt = Noising.addNoise(schedule, x0, eps, t2);
            NDArray tt = m.create(t2);
            NDArray tok = Tensors.concat(tokens, tokens);
            NDArray cond = m.zeros(new Shape(2L * n));

            NDArray refMse = Tensors.perSampleMse(reference.predict(frozenStore, xt, tt, tok, cond, false), eps);
            NDList refSplit = refMse.split(2);
            LossResult result;
            if (!train) {
                NDArray modelMse = Tensors.perSampleMse(policy.predict(frozenStore, xt, tt, tok, cond, false), eps);
                NDList split = modelMse.split(2);
                return new LossResult(null, loss.compute(split.get(0), split.get(1), refSplit.get(0), refSplit.get(1))
                        .metrics());
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray modelMse = Tensors.perSampleMse(policy.predict(trainStore, xt, tt, tok, cond, true), eps);
                NDList split = modelMse.split(2);
                result = loss.compute(split.get(0), split.get(1), refSplit.get(0), refSplit.get(1));
                gc.backward(result.loss());
            }
            update.step();
            return new LossResult(null, result.metrics());
        }
    }
}
