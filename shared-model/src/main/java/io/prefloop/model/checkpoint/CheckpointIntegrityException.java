package io.prefloop.model.checkpoint;

/** The weights on disk do not match the SHA-256 in the manifest. */
public class CheckpointIntegrityException extends CheckpointException {

    public CheckpointIntegrityException(CheckpointId id, String expected, String actual) {
        super("checkpoint " + id + ": weights SHA-256 is " + actual + ", manifest says " + expected);
    }
}
