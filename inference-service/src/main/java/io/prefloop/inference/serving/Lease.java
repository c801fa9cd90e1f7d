package io.prefloop.inference.serving;

import io.prefloop.model.nn.GradientRecording;

/**
 * A request's hold on a loaded model: the model is not released while a lease is open. Taking a
 * lease also turns autograd recording off on the calling thread: a request thread starts with it on,
 * and every forward pass would then keep its graph (and all its intermediate arrays, attached to the
 * parameters' manager) alive: about 2 GB per proposals call of 60 images.
 */
public final class Lease implements AutoCloseable {

    private final LoadedModel model;
    private boolean closed;

    Lease(LoadedModel model) {
        this.model = model;
        GradientRecording.offForThisThread();
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
