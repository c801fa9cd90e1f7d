package io.prefloop.model.checkpoint;

/** No published checkpoint has that model/version. */
public class CheckpointNotFoundException extends CheckpointException {

    public CheckpointNotFoundException(CheckpointId id) {
        super("checkpoint " + id + " not found");
    }
}
