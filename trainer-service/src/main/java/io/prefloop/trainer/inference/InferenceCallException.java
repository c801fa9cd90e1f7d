package io.prefloop.trainer.inference;

/**
 * The inference-service did not do what was asked.
 *
 * @param refused true when it answered 4xx: the request itself is wrong, and sending it again will not help
 */
public class InferenceCallException extends RuntimeException {

    private final boolean refused;

    InferenceCallException(String message, boolean refused, Throwable cause) {
        super(message, cause);
        this.refused = refused;
    }

    public boolean refused() {
        return refused;
    }
}
