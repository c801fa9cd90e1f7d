package io.prefloop.inference.proposal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.prefloop.common.io.Sha256;
import io.prefloop.common.web.ApiException;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.TrajectoryFile;
import io.prefloop.model.io.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Records images' sampling trajectories for D3PO: which sampler settings allow it, and one file
 * per image, {@code <root>/trajectories/<model>/<uuid>.safetensors} (docs/inference-service.md has
 * the contract the D3PO runner reads): {@code latents} float32 [S+1, C, H, W] (x_T first, x_0 last),
 * {@code log_probs} float32 [S], {@code timesteps} int32 [S]. Written to a dot-file and renamed, so
 * a reader never sees half a file.
 */
public final class TrajectoryFiles {

    /** @param path relative to the checkpoint store's root, with '/' separators */
    public record Written(String path, String sha256) {}

    /** A batch's recorded trajectory, read back once: latents [S+1][N·C·H·W], log-probabilities [S][N]. */
    record Batch(float[][] latents, float[][] logProbs, int[] timesteps) {

        static Batch of(Sampler.Trajectory t) {
            return new Batch(t.latents().stream().map(NDArray::toFloatArray).toArray(float[][]::new),
                    t.logProbs().stream().map(NDArray::toFloatArray).toArray(float[][]::new), t.timesteps());
        }

        /** Image {@code i}'s latents, x_T first, each {@code per} floats. */
        float[] latents(int i, int per) {
            float[] out = new float[latents.length * per];
            for (int k = 0; k < latents.length; k++) {
                System.arraycopy(latents[k], i * per, out, k * per, per);
            }
            return out;
        }

        float[] logProbs(int i) {
            float[] out = new float[logProbs.length];
            for (int k = 0; k < logProbs.length; k++) {
                out[k] = logProbs[k][i];
            }
            return out;
        }
    }

    private final Path root;

    public TrajectoryFiles(Path root) {
        this.root = root;
    }

    /** D3PO re-scores each stored step as a Gaussian transition of DDIM with CFG: other settings are refused. */
    static void check(SamplerSettings settings) {
        if (settings.sampler() != SamplerSettings.Kind.DDIM) {
            throw ApiException.invalid("sampler", "trajectories are recorded for ddim only");
        }
        if (!(settings.eta() > 0)) {
            throw ApiException.invalid("eta", "trajectories need eta > 0 (a deterministic step has no log-probability)");
        }
        if (settings.rewardGuidanceScale() != 0) {
            throw ApiException.invalid("reward_guidance_scale", "trajectories are recorded with plain CFG only");
        }
    }

    /** Writes image {@code i}'s trajectory from the batch; returns its candidate's {@code trajectory} params. */
    Map<String, Object> write(String model, Batch batch, int i, int channels, int size, SamplerSettings settings) {
        int per = channels * size * size;
        Written file = write(model, batch.latents(i, per), new Shape(batch.latents().length, channels, size, size),
                batch.logProbs(i), batch.timesteps());
        Map<String, Object> trajectory = new LinkedHashMap<>();
        trajectory.put("path", file.path());
        trajectory.put("sha256", file.sha256());
        trajectory.put("steps", settings.steps());
        trajectory.put("eta", settings.eta());
        trajectory.put("cfg_scale", settings.cfgScale());
        trajectory.put("sampler", "ddim");
        return trajectory;
    }

    public Written write(String model, float[] latents, Shape latentShape, float[] logProbs, int[] timesteps) {
        try {
            byte[] bytes = TrajectoryFile.encode(latents, latentShape, logProbs, timesteps);
            String name = UUID.randomUUID() + ".safetensors";
            Path dir = Files.createDirectories(root.resolve("trajectories").resolve(model));
            DurableFiles.writeAtomically(dir.resolve(name), bytes);
            return new Written("trajectories/" + model + "/" + name, Sha256.hex(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
