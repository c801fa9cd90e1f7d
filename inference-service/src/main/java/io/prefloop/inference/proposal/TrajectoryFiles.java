package io.prefloop.inference.proposal;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.prefloop.common.io.Sha256;
import io.prefloop.model.diffusion.TrajectoryFile;
import io.prefloop.model.io.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Writes one image's sampling trajectory as {@code <root>/trajectories/<model>/<uuid>.safetensors}
 * (docs/inference-service.md has the contract the D3PO runner reads): {@code latents} float32
 * [S+1, C, H, W] (x_T first, x_0 last), {@code log_probs} float32 [S], {@code timesteps} int32 [S].
 * Written to a dot-file and renamed, so a reader never sees half a file.
 */
public final class TrajectoryFiles {

    /** @param path relative to the checkpoint store's root, with '/' separators */
    public record Written(String path, String sha256) {}

    private final Path root;

    public TrajectoryFiles(Path root) {
        this.root = root;
    }

    public Written write(String model, NDManager manager, float[] latents, Shape latentShape, float[] logProbs,
            int[] timesteps) {
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
