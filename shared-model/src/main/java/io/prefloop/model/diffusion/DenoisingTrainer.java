package io.prefloop.model.diffusion;

import io.prefloop.model.nn.OptimizerStep;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Random;

/** One pretraining (or plain fine-tuning) update with {@link DenoisingLoss} and prompt dropout. */
public final class DenoisingTrainer {

    private final UNet net;
    private final NoiseSchedule schedule;
    private final OptimizerStep update;
    private final double promptDropout;
    private final ParameterStore store;

    public DenoisingTrainer(UNet net, OptimizerStep update, double promptDropout, NDManager manager) {
        this.net = net;
        this.schedule = net.spec().noiseSchedule();
        this.update = update;
        this.promptDropout = promptDropout;
        this.store = new ParameterStore(manager, false);
    }

    /** @param images (N, C, H, W) in [−1, 1]; tokens (N, L) */
    public LossResult step(NDArray images, NDArray tokens, Random rng) {
        try (NDManager m = images.getManager().newSubManager()) {
            // everything derived from the inputs then lands in m and is freed with it
            images.tempAttach(m);
            tokens.tempAttach(m);
            int n = (int) images.getShape().get(0);
            int[] t = Noising.sampleTimesteps(schedule, n, rng);
            NDArray noise = Gaussian.noise(m, images.getShape(), rng);
            float[] drop = DenoisingLoss.dropMask(n, promptDropout, rng);
            LossResult r;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                r = DenoisingLoss.compute(net, store, schedule, images, noise, t, tokens, drop);
                gc.backward(r.loss());
            }
            update.step();
            return new LossResult(null, r.metrics());
        }
    }
}
