package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.prefloop.model.checkpoint.Safetensors;
import java.util.List;

/**
 * One image's sampling trajectory as a safetensors file, the form in which the inference-service
 * hands trajectories to D3PO in the trainer: {@code latents} float32 (S+1, C, H, W) from x_T to
 * x_0, {@code log_probs} float32 (S), the log-probability of each transition under the sampling
 * distribution, and {@code timesteps} int32 (S).
 */
public final class TrajectoryFile {

    /** One image's trajectory, as plain arrays: latents[k] is x before step k (flattened C·H·W). */
    public record Row(float[][] latents, float[] logProbs, int[] timesteps, Shape imageShape) {}

    private TrajectoryFile() {}

    /** Row {@code row} of a batched trajectory from {@link Sampler}. */
    public static byte[] encode(Sampler.Trajectory trajectory, int row) {
        List<NDArray> steps = trajectory.latents();
        Shape image = steps.get(0).getShape().slice(1);
        int size = (int) image.size();
        float[] flat = new float[steps.size() * size];
        for (int k = 0; k < steps.size(); k++) {
            try (NDArray x = steps.get(k).get(row)) {
                System.arraycopy(x.toType(DataType.FLOAT32, false).toFloatArray(), 0, flat, k * size, size);
            }
        }
        float[] lp = new float[trajectory.logProbs().size()];
        for (int k = 0; k < lp.length; k++) {
            try (NDArray p = trajectory.logProbs().get(k).get(row)) {
                lp[k] = p.toType(DataType.FLOAT32, false).getFloat();
            }
        }
        long[] shape = new long[image.dimension() + 1];
        shape[0] = steps.size();
        System.arraycopy(image.getShape(), 0, shape, 1, image.dimension());
        return encode(flat, new Shape(shape), lp, trajectory.timesteps());
    }

    /** @param latents (S+1)·C·H·W values, x_T first; {@code shape} (S+1, C, H, W) */
    public static byte[] encode(float[] latents, Shape shape, float[] logProbs, int[] timesteps) {
        if (shape.get(0) != timesteps.length + 1 || logProbs.length != timesteps.length) {
            throw new IllegalArgumentException(shape.get(0) + " latents need " + (shape.get(0) - 1)
                    + " log-probabilities and timesteps, got " + logProbs.length + " and " + timesteps.length);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(latents, shape);
            x.setName("latents");
            NDArray lp = m.create(logProbs);
            lp.setName("log_probs");
            NDArray t = m.create(timesteps);
            t.setName("timesteps");
            return Safetensors.encode(new NDList(x, lp, t));
        }
    }

    public static Row decode(byte[] bytes) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDList tensors = Safetensors.decode(m, bytes);
            NDArray latents = tensors.get("latents");
            int steps = (int) latents.getShape().get(0) - 1;
            float[][] rows = new float[steps + 1][];
            for (int k = 0; k <= steps; k++) {
                rows[k] = latents.get(k).toFloatArray();
            }
            int[] timesteps = tensors.get("timesteps").toType(DataType.INT32, false).toIntArray();
            if (timesteps.length != steps) {
                throw new IllegalArgumentException(steps + " transitions but " + timesteps.length + " timesteps");
            }
            return new Row(rows, tensors.get("log_probs").toFloatArray(), timesteps, latents.getShape().slice(1));
        }
    }
}
