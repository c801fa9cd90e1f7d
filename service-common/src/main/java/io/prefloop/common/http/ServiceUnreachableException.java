package io.prefloop.common.http;

/** Another service did not answer at all (as opposed to answering with an error status). */
public class ServiceUnreachableException extends RuntimeException {

    public ServiceUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
