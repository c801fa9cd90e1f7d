package io.prefloop.trainer;

import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.IntFunction;
import tools.jackson.databind.JsonNode;

/** What the trainer's integration tests share: temporary places, committed base models, waiting for jobs. */
public final class TrainerTestSupport {

    private TrainerTestSupport() {}

    public static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int freePort() {
        try {
            return ServiceProcess.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies a committed checkpoint ({@code shared-model/checkpoints/<model>/<version>}) into a store,
     * under another model name if {@code as} differs.
     */
    public static void copyCommitted(String model, String version, Path store, String as) throws IOException {
        Path target = Files.createDirectories(store.resolve(as).resolve(version));
        for (Path file : Files.list(Path.of("..", "shared-model", "checkpoints", model, version)).toList()) {
            Files.copy(file, target.resolve(file.getFileName()));
        }
        Path manifest = target.resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"" + model + "\"", "\"" + as + "\""));
    }

    /**
     * A text project in the feedback-service with {@code prompts} prompts, each with the replies
     * {@code replies} gives it, paired by {@code pairs/bulk}; returns the project's id.
     */
    public static String textProject(ApiClient labeling, String adminKey, String serviceKey, String name, int prompts,
            IntFunction<String> prompt, IntFunction<List<String>> replies) {
        String project = labeling.post("/v1/projects", adminKey, "{\"name\":\"" + name + "\",\"modality\":\"text\"}")
                .json().get("id").asString();
        for (int i = 0; i < prompts; i++) {
            for (String reply : replies.apply(i)) {
                labeling.post("/v1/projects/" + project + "/candidates", serviceKey,
                        "{\"prompt\":\"" + prompt.apply(i) + "\",\"text\":\"" + reply + "\"}");
            }
        }
        labeling.post("/v1/projects/" + project + "/pairs/bulk", serviceKey, "{}");
        return project;
    }

    /** The labeler takes {@code pairs} tasks and picks the left side of each. */
    public static void judgeLeft(ApiClient labeling, String project, String labeler, int pairs) {
        for (int i = 0; i < pairs; i++) {
            JsonNode task = labeling.get("/v1/projects/" + project + "/tasks/next", labeler).json();
            labeling.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", labeler,
                    "{\"choice\":\"" + task.get("left").get("choice").asString() + "\"}");
        }
    }

    /** Waits (up to 5 minutes) for a job to succeed, fail or be cancelled; returns it. */
    public static JsonNode awaitJob(ApiClient trainer, String key, String job) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        JsonNode state = null;
        while (Instant.now().isBefore(deadline)) {
            state = trainer.get("/v1/jobs/" + job, key).json();
            if (List.of("succeeded", "failed", "cancelled").contains(state.get("status").asString())) {
                return state;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("job did not finish: " + state);
    }
}
