package io.prefloop.trainer.worker;

/** The job was cancelled, or this worker lost its lease: stop and write nothing more. */
public class JobStoppedException extends RuntimeException {

    private final boolean cancelled;

    JobStoppedException(boolean cancelled, String message) {
        super(message);
        this.cancelled = cancelled;
    }

    public boolean cancelled() {
        return cancelled;
    }
}
