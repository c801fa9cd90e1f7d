package io.prefloop.inference.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {

    static final class Job implements BatchJob {
        final int rows;
        final CompletableFuture<Integer> done = new CompletableFuture<>();

        Job(int rows) {
            this.rows = rows;
        }

        @Override
        public int size() {
            return rows;
        }

        @Override
        public void fail(Throwable cause) {
            done.completeExceptionally(cause);
        }
    }

    record Run(String key, List<Integer> sizes) {}

    @Test
    void compatibleJobsShareRunsUpToMaxBatchAndOthersWaitTheirTurn() throws Exception {
        List<Run> runs = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch gate = new CountDownLatch(1);
        try (DynamicBatcher<String, Job> batcher = new DynamicBatcher<>("t", (key, jobs) -> {
            gate.await();
            runs.add(new Run(key, jobs.stream().map(j -> j.rows).toList()));
            jobs.forEach(j -> j.done.complete(jobs.size()));
        }, 4, Duration.ofMillis(50), 100, 1)) {
            List<Job> jobs = new ArrayList<>();
            Job first = new Job(1);
            batcher.submit("a", first); // the worker takes it and blocks on the gate
            Thread.sleep(200);
            for (String key : List.of("a", "b", "a", "a", "b", "a", "a")) {
                Job j = new Job(1);
                jobs.add(j);
                batcher.submit(key, j);
            }
            Job big = new Job(6);
            batcher.submit("a", big);
            gate.countDown();
            for (Job j : jobs) {
                j.done.get(10, TimeUnit.SECONDS);
            }
            big.done.get(10, TimeUnit.SECONDS);
            assertThat(runs.get(0)).isEqualTo(new Run("a", List.of(1)));
            // the next "a" run takes four of the five queued "a" jobs; "b" jobs run together
            assertThat(runs).contains(new Run("a", List.of(1, 1, 1, 1)), new Run("b", List.of(1, 1)),
                    new Run("a", List.of(6)));
            assertThat(runs.stream().mapToInt(r -> r.sizes().stream().mapToInt(Integer::intValue).sum()).sum())
                    .isEqualTo(14);
            assertThat(runs).allMatch(r -> r.sizes().size() == 1 || r.sizes().stream().mapToInt(i -> i).sum() <= 4);
            // the counter moves just after a run has completed its jobs
            long deadline = System.currentTimeMillis() + 5000;
            while (batcher.batches() < runs.size() && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(batcher.batches()).isEqualTo(runs.size());
        }
    }

    @Test
    void aFullQueueIsRefusedWithARetryAfterAndAFailedRunFailsItsJobs() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (DynamicBatcher<String, Job> batcher = new DynamicBatcher<>("t", (key, jobs) -> {
            gate.await();
            throw new IllegalStateException("boom");
        }, 1, Duration.ZERO, 2, 1)) {
            Job running = new Job(1);
            batcher.submit("a", running);
            Thread.sleep(200);
            Job q1 = new Job(1);
            Job q2 = new Job(1);
            batcher.submit("a", q1);
            batcher.submit("a", q2);
            assertThatThrownBy(() -> batcher.submit("a", new Job(1)))
                    .isInstanceOfSatisfying(QueueFullException.class, e -> assertThat(e.retryAfterSeconds()).isPositive());
            assertThat(batcher.rejected()).isEqualTo(1);
            gate.countDown();
            for (Job j : List.of(running, q1, q2)) {
                assertThatThrownBy(() -> j.done.get(10, TimeUnit.SECONDS)).hasRootCauseMessage("boom");
            }
        }
    }
}
