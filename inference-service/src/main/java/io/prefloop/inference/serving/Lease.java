package io.prefloop.inference.serving;

/** A request's hold on a loaded model: the model is not released while a lease is open. */
public final class Lease implements AutoCloseable {

    private final LoadedModel model;
    private boolean closed;

    Lease(LoadedModel model) {
        this.model = model;
    }

    public LoadedModel model() {
        return model;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            model.release();
        }
    }
}
