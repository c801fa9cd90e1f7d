package io.prefloop.model.nn.conv;

/** No convolution path computes right gradients on this machine: training would learn garbage. */
public final class UnsafeConvolutionException extends RuntimeException {

    public UnsafeConvolutionException(String message) {
        super(message);
    }
}
