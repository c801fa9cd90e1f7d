package io.prefloop.model.diffusion;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** A scalar loss to back-propagate, and the metrics to log for the step. */
public record LossResult(NDArray loss, Map<String, Double> metrics) {

    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no metric " + name + " in " + metrics.keySet());
        }
        return v;
    }
}
