package io.prefloop.inference.batching;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A job whose caller waits for its result: the batch's runner completes it, a failed run fails it,
 * and {@link #await} hands the caller the result or rethrows the run's exception.
 */
public abstract class AwaitedJob<R> implements BatchJob {

    private final CompletableFuture<R> result = new CompletableFuture<>();

    public void complete(R value) {
        result.complete(value);
    }

    @Override
    public void fail(Throwable cause) {
        result.completeExceptionally(cause);
    }

    /** Waits for the run that took this job; its exception if it failed. */
    public R await() {
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
