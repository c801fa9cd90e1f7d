package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.prefloop.model.checkpoint.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last check before a checkpoint is published: every weight tensor and every numeric metric
 * (training, held-out, quality_regression) must be finite. A NaN that got past training (a held-out
 * evaluation on a diverged policy, say) stops the job here with the names of what is not finite,
 * instead of being published and left to a gate that compares it with {@code <=}.
 */
final class FiniteCheckpoint {

    private FiniteCheckpoint() {}

    /** @throws NonFiniteCheckpointException naming each non-finite tensor and metric */
    static void require(Manifest manifest, NDList weights) {
        List<String> problems = new ArrayList<>();
        for (NDArray w : weights) {
            // isFinite is false for NaN and ±∞ alike; one count per tensor
            long bad = w.isInfinite().logicalOr(w.isNaN()).countNonzero().getLong();
            if (bad > 0) {
                problems.add("tensor " + w.getName() + " has " + bad + " non-finite values");
            }
        }
        for (Map.Entry<String, Object> e : manifest.metrics().entrySet()) {
            if (e.getValue() instanceof Number n && !Double.isFinite(n.doubleValue())) {
                problems.add("metric " + e.getKey() + " = " + n);
            }
        }
        if (!problems.isEmpty()) {
            throw new NonFiniteCheckpointException("Refused to publish a checkpoint that is not finite: "
                    + String.join("; ", problems));
        }
    }

    /** What the job fails with. */
    static final class NonFiniteCheckpointException extends RuntimeException {
        NonFiniteCheckpointException(String message) {
            super(message);
        }
    }
}
