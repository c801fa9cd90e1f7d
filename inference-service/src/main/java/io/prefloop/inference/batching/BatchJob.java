package io.prefloop.inference.batching;

/** A piece of work that may share a run with compatible ones. */
public interface BatchJob {

    /** Rows it adds to a batch (e.g. images). */
    int size();

    /** Called when the run it was part of failed. */
    void fail(Throwable cause);
}
