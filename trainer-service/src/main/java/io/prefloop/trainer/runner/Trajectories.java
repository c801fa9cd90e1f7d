package io.prefloop.trainer.runner;

import io.prefloop.common.io.Sha256;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.TrajectoryFile;
import io.prefloop.trainer.feedback.Comparison;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Sampling trajectories stored with candidates for D3PO, as the inference-service writes them
 * (docs/inference-service.md): the candidate's {@code params.trajectory} holds {@code path} (a
 * {@link TrajectoryFile} under the checkpoint store's root), {@code sha256} of the file, and the
 * sampler settings {@code steps}, {@code eta}, {@code cfg_scale} (DDIM).
 */
final class Trajectories {

    /** One candidate's trajectory with the settings it was sampled with. */
    record Stored(TrajectoryFile.Row row, SamplerSettings settings) {}

    private Trajectories() {}

    static boolean present(Comparison.Candidate candidate) {
        return candidate != null && candidate.params() != null && candidate.params().get("trajectory") instanceof Map;
    }

    static Stored load(Path root, Comparison.Candidate candidate) {
        Map<?, ?> spec = (Map<?, ?>) candidate.params().get("trajectory");
        Path file = root.resolve(String.valueOf(spec.get("path"))).normalize();
        if (!file.startsWith(root.normalize())) {
            throw new IllegalStateException("Candidate " + candidate.id() + " names a trajectory outside the store: " + file);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("The trajectory of candidate " + candidate.id() + " cannot be read: " + file, e);
        }
        if (!Sha256.hex(bytes).equals(spec.get("sha256"))) {
            throw new IllegalStateException("The trajectory of candidate " + candidate.id() + " is damaged (hash differs)");
        }
        TrajectoryFile.Row row = TrajectoryFile.decode(bytes);
        SamplerSettings settings = new SamplerSettings(row.timesteps().length, SamplerSettings.Kind.DDIM,
                ((Number) spec.get("eta")).doubleValue(), ((Number) spec.get("cfg_scale")).doubleValue(), 0,
                !(spec.get("clip_x0") instanceof Boolean b) || b);
        return new Stored(row, settings);
    }
}
