package io.prefloop.model.nn.conv;

import ai.djl.Device;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check of a process that trains or serves: the convolutions of the networks it will
 * run, float32 against float64, first on libtorch's kernels as shipped (to report whether this CPU
 * has the bug) and then through {@link Convolutions#verify}, which settles the path in use.
 */
public final class ConvolutionSelfCheck {

    private static final Logger log = LoggerFactory.getLogger(ConvolutionSelfCheck.class);

    /**
     * @param shipped what the kernels as shipped compute on this CPU (for the record only: they are
     *     not used unless they were also right in every later check, which the default path never needs)
     * @param status the path in use after the check, or the refusal
     * @param millis how long the check took
     */
    public record Report(ConvolutionCheck.Result shipped, ConvolutionStatus status, long millis) {
        public String summary() {
            return "convolution self-check on " + shipped.calls().size() + " shapes in " + millis + " ms: kernels as shipped "
                    + shipped.summary() + "; in use: " + status.summary();
        }

        /** For JSON views: snake_case keys. */
        public Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("path", status.path().name().toLowerCase(java.util.Locale.ROOT));
            map.put("path_description", status.path().description());
            map.put("training_allowed", status.trainingAllowed());
            map.put("shapes_checked", status.shapesChecked());
            map.put("worst_relative_error", Double.isFinite(status.worstError()) ? status.worstError() : null);
            map.put("kernels_as_shipped_right", shipped.right());
            map.put("summary", summary());
            map.put("millis", millis);
            return map;
        }
    }

    private ConvolutionSelfCheck() {}

    /** On {@code device}, where the process will train or serve. */
    public static Report run(List<ConvCall> calls, Device device) {
        long start = System.nanoTime();
        ConvolutionCheck.Result shipped = ConvolutionCheck.run(calls, ConvolutionPath.DIRECT, device);
        ConvolutionStatus status;
        try {
            status = Convolutions.verify(calls, device);
        } catch (UnsafeConvolutionException e) {
            status = Convolutions.status();
        }
        Report report = new Report(shipped, status, (System.nanoTime() - start) / 1_000_000);
        if (status.trainingAllowed()) {
            log.info(report.summary());
        } else {
            log.error(report.summary());
        }
        return report;
    }
}
