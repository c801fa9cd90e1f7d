package io.prefloop.inference.batching;

import io.prefloop.model.nn.GradientRecording;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups concurrent jobs with equal keys into one run. A worker takes the oldest job, then for up
 * to {@code maxDelay} gathers later jobs with the same key until the batch holds as many rows as
 * the previous run did (at most {@code maxBatch}; whatever is queued beyond that joins too, up to
 * {@code maxBatch}); jobs with other keys keep their place in the queue. It waits only while there
 * is company to expect: when the previous run held a single job, it takes what is queued and starts
 * at once, so a lone client pays no delay, and four clients do not wait for a batch of sixteen. A job is never split, so one larger
 * than {@code maxBatch} runs alone. The queue holds at most {@code queueCapacity} jobs; beyond it
 * {@link #submit} throws {@link QueueFullException} instead of letting latency grow without bound.
 */
public final class DynamicBatcher<K, J extends BatchJob> implements AutoCloseable {

    /** Runs one batch; completes each job's result, or throws (then every job fails). */
    public interface Runner<K, J> {
        void run(K key, List<J> jobs) throws Exception;
    }

    private record Entry<K, J>(K key, J job) {}

    private static final Logger log = LoggerFactory.getLogger(DynamicBatcher.class);

    private final Runner<K, J> runner;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final int capacity;
    private final ArrayDeque<Entry<K, J>> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean closed;
    private volatile double secondsPerBatch = 1;
    private volatile boolean lastHadCompany;
    private volatile int lastRows;

    public DynamicBatcher(String name, Runner<K, J> runner, int maxBatch, Duration maxDelay, int capacity, int workers) {
        if (maxBatch < 1 || capacity < 1 || workers < 1 || maxDelay.isNegative()) {
            throw new IllegalArgumentException("max batch, queue capacity and workers must be ≥ 1, the delay ≥ 0");
        }
        this.runner = runner;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelay.toNanos();
        this.capacity = capacity;
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, name + "-" + i);
            t.setDaemon(true);
            t.start();
            this.workers.add(t);
        }
    }

    public void submit(K key, J job) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("shutting down");
            }
            if (queue.size() >= capacity) {
                rejected.incrementAndGet();
                // the queue drains about one batch of maxBatch rows per batch time and worker
                long wait = (long) Math.ceil(secondsPerBatch * Math.max(1, queue.size() / (double) maxBatch)
                        / workers.size());
                throw new QueueFullException("The queue holds " + queue.size() + " requests, its capacity",
                        Math.max(1, wait));
            }
            queue.addLast(new Entry<>(key, job));
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        GradientRecording.offForThisThread(); // sampling never needs autograd graphs
        while (!closed) {
            K key;
            List<J> batch;
            try {
                lock.lock();
                try {
                    while (queue.isEmpty()) {
                        if (closed) {
                            return;
                        }
                        notEmpty.await();
                    }
                    Entry<K, J> first = queue.pollFirst();
                    key = first.key();
                    batch = new ArrayList<>(List.of(first.job()));
                    int size = first.job().size();
                    long deadline = System.nanoTime() + (lastHadCompany ? maxDelayNanos : 0);
                    // closed-loop clients come back together: wait for as many rows as the last run
                    // had, not for a full batch that this load never fills (that wait is pure delay)
                    int enough = Math.min(maxBatch, Math.max(1, lastRows));
                    while (true) {
                        size = gather(key, batch, size);
                        long left = deadline - System.nanoTime();
                        if (size >= enough || left <= 0 || closed) {
                            break;
                        }
                        notEmpty.awaitNanos(left);
                    }
                    lastHadCompany = batch.size() > 1;
                    lastRows = size;
                    if (!queue.isEmpty()) {
                        notEmpty.signal(); // another worker may take jobs of other keys meanwhile
                    }
                } finally {
                    lock.unlock();
                }
            } catch (InterruptedException e) {
                return;
            }
            run(key, batch);
        }
    }

    /** Moves queued jobs with {@code key} into the batch while they fit; returns its rows. */
    private int gather(K key, List<J> batch, int size) {
        Iterator<Entry<K, J>> it = queue.iterator();
        while (it.hasNext() && size < maxBatch) {
            Entry<K, J> e = it.next();
            if (e.key().equals(key) && size + e.job().size() <= maxBatch) {
                it.remove();
                batch.add(e.job());
                size += e.job().size();
            }
        }
        return size;
    }

    private void run(K key, List<J> batch) {
        long start = System.nanoTime();
        try {
            runner.run(key, batch);
        } catch (Throwable e) {
            log.warn("A batch of {} jobs failed: {}", batch.size(), e.toString());
            batch.forEach(j -> j.fail(e));
        }
        secondsPerBatch = 0.8 * secondsPerBatch + 0.2 * (System.nanoTime() - start) / 1e9;
        batches.incrementAndGet();
        rows.addAndGet(batch.stream().mapToInt(BatchJob::size).sum());
    }

    public long batches() {
        return batches.get();
    }

    public long rows() {
        return rows.get();
    }

    public long rejected() {
        return rejected.get();
    }

    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        List<Entry<K, J>> left;
        lock.lock();
        try {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        left.forEach(e -> e.job().fail(new IllegalStateException("the service is shutting down")));
        for (Thread t : workers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
