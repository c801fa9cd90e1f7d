package io.prefloop.model.nn.conv;

/**
 * How a process computes its 2-D convolutions on the CPU. All three give the same forward pass; they
 * differ in which libtorch kernels run the backward pass (docs/djl.md, "Wrong float32 convolution
 * gradients on AVX-512 CPUs").
 */
public enum ConvolutionPath {
    /** libtorch's kernels as shipped (oneDNN on the CPU). */
    DIRECT("oneDNN kernels as shipped"),
    /**
     * Output channels padded with zero filters to a multiple of 16 (oneDNN's channel block on
     * AVX-512), the output sliced back: oneDNN stays on, without the tail-block kernels that compute
     * wrong input gradients. The default on the CPU.
     */
    PADDED_CHANNELS("oneDNN with output channels padded to a multiple of 16"),
    /** oneDNN switched off in libtorch for the whole process: right everywhere seen, 2.5–3× slower. */
    ONEDNN_OFF("oneDNN switched off"),
    /**
     * Each convolution cast to float64 and back (float64 never goes through oneDNN): right wherever
     * float64 is, several times slower; the last resort, and the tests' reference.
     */
    FLOAT64("convolutions computed in float64");

    private final String description;

    ConvolutionPath(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** The path to try when this one computes wrong gradients; null when none is left. */
    ConvolutionPath fallback() {
        return switch (this) {
            case DIRECT -> PADDED_CHANNELS;
            case PADDED_CHANNELS -> ONEDNN_OFF;
            case ONEDNN_OFF -> FLOAT64;
            case FLOAT64 -> null;
        };
    }
}
