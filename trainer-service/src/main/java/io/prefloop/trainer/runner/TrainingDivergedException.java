package io.prefloop.trainer.runner;

/** Training diverged and the retries at lower learning rates did too: the job fails with this reason. */
public class TrainingDivergedException extends RuntimeException {

    TrainingDivergedException(String message) {
        super(message);
    }
}
