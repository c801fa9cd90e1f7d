package io.prefloop.model.checkpoint;

/** Publishing was refused because that model/version is already published. */
public class CheckpointExistsException extends CheckpointException {

    public CheckpointExistsException(CheckpointId id) {
        super("checkpoint " + id + " is already published and is never overwritten");
    }
}
