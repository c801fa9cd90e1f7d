package io.prefloop.trainer.feedback;

/** The feedback-service could not be read; a job retries later or fails with this reason. */
public class FeedbackUnavailableException extends RuntimeException {

    public FeedbackUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
