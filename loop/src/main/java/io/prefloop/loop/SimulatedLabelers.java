package io.prefloop.loop;

import java.time.Duration;
import java.time.Instant;
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
 * key: take the next task, let the world's simulated labeler choose, post the judgment. This is
 * all the loop does in the services besides watching: the campaign proposes, the policy trains.
 */
final class SimulatedLabelers {

    private static final Duration WAIT_FOR_PAIRS = Duration.ofMinutes(10);

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

    /**
     * Judges exactly {@code count} pairs of the project, waiting for the campaign's next pairs when
     * none is open; returns how many judgments were posted. A labeler reserves a judgment before it
     * asks for a task, so together they never take more than {@code count} tasks.
     */
    int judge(String project, int count, Runnable afterEach) throws Exception {
        AtomicInteger reserved = new AtomicInteger();
        AtomicInteger judged = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(keys.size());
        Instant deadline = Instant.now().plus(WAIT_FOR_PAIRS);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                LoopWorld.Labeler labeler = labelers.get(i);
                work.add(pool.submit(() -> {
                    while (reserved.incrementAndGet() <= count) {
                        JsonNode task = feedback.getOrNull("/v1/projects/" + project + "/tasks/next", key);
                        if (task == null || task.isNull()) {
                            reserved.decrementAndGet(); // nothing open yet: the campaign proposes more
                            if (Instant.now().isAfter(deadline)) {
                                throw new IllegalStateException("no pairs to judge for " + WAIT_FOR_PAIRS.toMinutes()
                                        + " min after " + judged.get() + " of " + count);
                            }
                            Thread.sleep(250);
                            continue;
                        }
                        feedback.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", key,
                                Map.of("choice", labeler.answer(task), "elapsed_ms", 1500,
                                        "task_id", task.get("task_id").asString()));
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
}
