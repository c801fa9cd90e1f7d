package io.prefloop.inference.serving;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** What is served under one model name: the loaded checkpoint, and what the registry asked for. */
public final class ModelSlot {

    /** A checkpoint that could not be served, and why. */
    public record Refusal(String version, String reason, Instant at) {}

    private final String name;
    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private final Map<String, Refusal> refused = new ConcurrentHashMap<>();
    private volatile String registryVersion;
    private volatile String loadingVersion;

    ModelSlot(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The model being served, or null; for looking only (use {@link #lease()} to run it). */
    public LoadedModel current() {
        return current.get();
    }

    /** Holds the current model until the lease is closed; null when none is loaded. */
    public Lease lease() {
        while (true) {
            LoadedModel model = current.get();
            if (model == null) {
                return null;
            }
            if (model.tryAcquire()) {
                return new Lease(model);
            }
            // swapped out and released between get() and tryAcquire(): the slot holds a newer one
        }
    }

    /**
     * Serves {@code next} from now on; the previous model is released once its last request is
     * done.
     */
    void install(LoadedModel next) {
        LoadedModel previous = current.getAndSet(next);
        if (previous != null) {
            previous.release();
        }
    }

    public void refuse(String version, String reason) {
        refused.put(version, new Refusal(version, reason, Instant.now()));
    }

    public boolean isRefused(String version) {
        return refused.containsKey(version);
    }

    public List<Refusal> refusals() {
        List<Refusal> list = new ArrayList<>(refused.values());
        list.sort(java.util.Comparator.comparing(Refusal::at));
        return list;
    }

    public String registryVersion() {
        return registryVersion;
    }

    public void registryVersion(String version) {
        registryVersion = version;
    }

    public String loadingVersion() {
        return loadingVersion;
    }

    public void loadingVersion(String version) {
        loadingVersion = version;
    }
}
