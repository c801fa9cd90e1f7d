package io.prefloop.common.web;

import java.io.IOException;

/** Thrown while reading a request body that exceeds the configured limit. */
public class PayloadTooLargeException extends IOException {

    public PayloadTooLargeException(long limit) {
        super("Request body exceeds the limit of " + limit + " bytes");
    }
}
