package io.prefloop.model.nn.conv;

/**
 * Where a process stands with its convolution gradients.
 *
 * @param path the path in use
 * @param shapesChecked convolution shapes whose gradients were checked right on that path
 * @param worstError the largest relative gradient error of the last check on that path
 * @param refusal why training with convolutions is refused, or null
 */
public record ConvolutionStatus(ConvolutionPath path, int shapesChecked, double worstError, String refusal) {

    public boolean trainingAllowed() {
        return refusal == null;
    }

    public String summary() {
        if (refusal != null) {
            return refusal;
        }
        return "convolutions: " + path.description() + "; gradients checked right on " + shapesChecked
                + " shapes" + (shapesChecked > 0 ? String.format(" (worst relative error %.1e)", worstError) : "");
    }
}
