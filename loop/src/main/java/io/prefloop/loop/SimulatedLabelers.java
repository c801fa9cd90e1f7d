package io.prefloop.loop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * Labelers who work through the feedback-service's task API as people do, each on its own API
 * key: take the next task, let the world's simulated labeler choose, post the judgment; until the
 * project has nothing left for them.
 */
final class SimulatedLabelers {

    private final Http feedback;
    private final List<String> keys;
    private final List<LoopWorld.Labeler> labelers;

    SimulatedLabelers(Http feedback, List<String> keys, LoopWorld world, LoopOptions options) {
        this.feedback = feedback;
        this.keys = keys;
        this.labelers = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            labelers.add(world.labeler(i, options, feedback));
        }
    }

    /** Judges everything open in the project; returns how many judgments were posted. */
    int judgeAll(String project, Runnable afterEach) throws Exception {
        AtomicInteger judged = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(keys.size());
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                LoopWorld.Labeler labeler = labelers.get(i);
                work.add(pool.submit(() -> {
                    // one request per judgment: the answer to a judgment carries the next task
                    JsonNode task = feedback.getOrNull("/v1/projects/" + project + "/tasks/next", key);
                    while (task != null && !task.isNull()) {
                        JsonNode answer = feedback.post("/v1/pairs/" + task.get("pair_id").asString()
                                + "/judgments?next=true", key, Map.of("choice", labeler.answer(task), "elapsed_ms", 1500,
                                        "task_id", task.get("task_id").asString()));
                        judged.incrementAndGet();
                        afterEach.run();
                        task = answer.get("next_task");
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
}
