package io.prefloop.inference.serving;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.nn.NativeHeap;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One checkpoint in memory, with every array it owns under one NDManager. Reference counted: the
 * slot that serves it holds one reference, every request in flight another; the manager is closed
 * when the last one is released, so a swapped-out model lives exactly as long as its requests.
 */
public final class LoadedModel {

    private final Manifest manifest;
    private final ModelKind kind;
    private final Networks networks;
    private final NDManager manager;
    private final Instant loadedAt = Instant.now();
    private final AtomicInteger references = new AtomicInteger(1);

    public LoadedModel(Manifest manifest, ModelKind kind, Networks networks, NDManager manager) {
        this.manifest = manifest;
        this.kind = kind;
        this.networks = networks;
        this.manager = manager;
    }

    public CheckpointId id() {
        return manifest.id();
    }

    public Manifest manifest() {
        return manifest;
    }

    public ModelKind kind() {
        return kind;
    }

    public Networks networks() {
        return networks;
    }

    public NDManager manager() {
        return manager;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** False once the model has been released for good (the caller must look again). */
    boolean tryAcquire() {
        while (true) {
            int n = references.get();
            if (n == 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (references.decrementAndGet() == 0) {
            manager.close();
            NativeHeap.trim(); // a model's weights and caches, freed at once (NativeHeap says why)
        }
    }

    /** Requests holding it right now. */
    public int inFlight() {
        return Math.max(0, references.get() - 1);
    }

    public boolean isClosed() {
        return references.get() == 0;
    }
}
