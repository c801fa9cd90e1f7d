package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * How well a fine-tuned UNet and its reference denoise the same images, at the same timesteps and
 * noise: the mean squared error of each (Ho et al. 2020, eq. 14, prompt kept). Their ratio is the
 * diffusion methods' {@code quality_regression} (model_mse / ref_mse − 1).
 */
public final class DenoisingComparison {

    private DenoisingComparison() {}

    /**
     * @param images (N, C, H, W) in [−1, 1]; tokens (N, L)
     * @return {@code model_mse} and {@code ref_mse}
     */
    public static Map<String, Double> of(EpsilonNetwork model, EpsilonNetwork reference, NoiseSchedule schedule,
            NDArray images, NDArray tokens, Random rng) {
        try (NDManager m = images.getManager().newSubManager()) {
            int n = (int) images.getShape().get(0);
            int[] t = Noising.sampleTimesteps(schedule, n, rng);
            NDArray noise = Gaussian.noise(m, images.getShape(), rng);
            NDArray xt = Noising.addNoise(schedule, images, noise, t);
            NDArray tt = m.create(t);
            NDArray keep = m.zeros(new Shape(n));
            ParameterStore store = new ParameterStore(m, false);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("model_mse", (double) model.predict(store, xt, tt, tokens, keep, false).sub(noise).square()
                    .mean().getFloat());
            metrics.put("ref_mse", (double) reference.predict(store, xt, tt, tokens, keep, false).sub(noise).square()
                    .mean().getFloat());
            return metrics;
        }
    }
}
