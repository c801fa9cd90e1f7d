package io.prefloop.model.diffusion;

import io.prefloop.model.nn.OptimizerStep;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Random;

/** One DCO update (Lee et al. 2024) on captioned reference images, the reference frozen. */
public final class DcoTrainer {

    private final UNet policy;
    private final UNet reference;
    private final NoiseSchedule schedule;
    private final DcoLoss loss;
    private final OptimizerStep update;
    private final ParameterStore store;

    public DcoTrainer(UNet policy, UNet reference, DcoLoss loss, OptimizerStep update, NDManager manager) {
        this.policy = policy;
        this.reference = reference;
        this.schedule = policy.spec().noiseSchedule();
        this.loss = loss;
        this.update = update;
        this.store = new ParameterStore(manager, false);
    }

    public LossResult step(NDArray images, NDArray tokens, Random rng) {
        return run(images, tokens, rng, true);
    }

    /** The same loss and metrics without a gradient or an update. */
    public LossResult evaluate(NDArray images, NDArray tokens, Random rng) {
        return run(images, tokens, rng, false);
    }

    private LossResult run(NDArray images, NDArray tokens, Random rng, boolean train) {
        try (NDManager m = images.getManager().newSubManager()) {
            // everything derived from the inputs then lands in m and is freed with it
            images.tempAttach(m);
            tokens.tempAttach(m);
            int n = (int) images.getShape().get(0);
            int[] t = Noising.sampleTimesteps(schedule, n, rng);
            NDArray noise = Gaussian.noise(m, images.getShape(), rng);
            NDArray xt = Noising.addNoise(schedule, images, noise, t);
            NDArray tt = m.create(t);
            NDArray cond = Tensors.zeros(m, n);
            NDArray refMse = Tensors.perSampleMse(reference.predict(store, xt, tt, tokens, cond, false), noise);
            LossResult r;
            if (!train) {
                NDArray modelMse = Tensors.perSampleMse(policy.predict(store, xt, tt, tokens, cond, false), noise);
                return new LossResult(null, loss.compute(modelMse, refMse).metrics());
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray modelMse = Tensors.perSampleMse(policy.predict(store, xt, tt, tokens, cond, true), noise);
                r = loss.compute(modelMse, refMse);
                gc.backward(r.loss());
            }
            update.step();
            return new LossResult(null, r.metrics());
        }
    }
}
