package io.prefloop.loop;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.diffusion.Choice;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.model.shapes.Judgment;
import io.prefloop.model.shapes.Prompt;
import io.prefloop.model.shapes.ShapesModel;
import io.prefloop.model.shapes.ShapesOracle;
import io.prefloop.model.shapes.SimulatedLabeler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * Labelers who work through the feedback-service's task API as people do: take the next task,
 * look at both images (fetched from their URLs), choose with the oracle's graded score and a set
 * rate of mistakes, post the judgment; until the project has nothing left for them.
 */
final class SimulatedLabelers {

    private final Http feedback;
    private final List<String> keys;
    private final double noise;
    private final long seed;
    private final ShapesOracle oracle = new ShapesOracle(ShapesModel.IMAGE_SIZE);

    SimulatedLabelers(Http feedback, List<String> keys, double noise, long seed) {
        this.feedback = feedback;
        this.keys = keys;
        this.noise = noise;
        this.seed = seed;
    }

    /** Judges everything open in the project; returns how many judgments were posted. */
    int judgeAll(String project, Runnable afterEach) throws Exception {
        AtomicInteger judged = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(keys.size());
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                SimulatedLabeler labeler = new SimulatedLabeler(noise, seed * 1000 + i);
                work.add(pool.submit(() -> {
                    JsonNode task;
                    while ((task = feedback.getOrNull("/v1/projects/" + project + "/tasks/next", key)) != null) {
                        Prompt prompt = Prompt.parse(task.get("prompt").asString());
                        Judgment left = look(task.get("left"), prompt);
                        Judgment right = look(task.get("right"), prompt);
                        Choice choice = labeler.judge(left, right);
                        String answer = switch (choice) {
                            case A -> task.get("left").get("choice").asString();
                            case B -> task.get("right").get("choice").asString();
                            case TIE -> "tie";
                        };
                        feedback.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", key,
                                Map.of("choice", answer, "elapsed_ms", 1500));
                        judged.incrementAndGet();
                        afterEach.run();
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return judged.get();
    }

    private Judgment look(JsonNode side, Prompt prompt) {
        byte[] png = feedback.bytes(absolute(side.get("image_url").asString()));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] pixels = ImagePng.decode(m, List.of(png), ShapesModel.IMAGE_SIZE).toFloatArray();
            return oracle.judge(pixels, prompt);
        }
    }

    private String absolute(String url) {
        return url.startsWith("http") ? url : feedback.base() + url;
    }
}
