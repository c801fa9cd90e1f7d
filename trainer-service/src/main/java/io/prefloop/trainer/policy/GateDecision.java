package io.prefloop.trainer.policy;

import io.prefloop.trainer.job.JobView;

/**
 * What a {@link Gate} decided about a published checkpoint.
 *
 * @param value the gate metric's value, null unless a finite number
 * @param regression quality_regression, null unless a finite number
 */
public record GateDecision(Gate gate, boolean promoted, Double value, Double regression, String reason) {

    /** The decision as the job records it. */
    public JobView.Promotion promotion() {
        return new JobView.Promotion(promoted, false, gate.metric(), value, gate.min(), regression,
                gate.maxRegression(), reason);
    }

    /** A human gate's decision put off until the labelers have voted. */
    JobView.Promotion pending(String why) {
        return new JobView.Promotion(false, true, gate.metric(), null, gate.min(), regression, gate.maxRegression(),
                why);
    }
}
