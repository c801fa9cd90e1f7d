package io.prefloop.common.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Calls from one Prefloop service to another: HTTP/1.1, the service key as a bearer token, one
 * timeout for connecting and for each request. What the clients between services share; each
 * client decides what a status means to it.
 */
public final class ServiceHttp {

    private final String service;
    private final String baseUrl;
    private final String serviceKey;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param service the other service's name, for messages ("the feedback-service")
     * @param baseUrl its address; a trailing slash is dropped
     */
    public ServiceHttp(String service, String baseUrl, String serviceKey, Duration timeout) {
        this.service = service;
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.serviceKey = serviceKey;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** A request to {@code path} (starting with /) with the timeout and the service key set. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Authorization", "Bearer " + serviceKey);
    }

    /**
     * Sends a request and returns whatever status came back.
     *
     * @param what what was asked for, for the message when nothing came back
     * @throws ServiceUnreachableException when the service did not answer (or the wait was interrupted)
     */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body, String what) {
        try {
            return http.send(request, body);
        } catch (IOException e) {
            throw new ServiceUnreachableException("The " + service + " at " + baseUrl + " did not answer for " + what
                    + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceUnreachableException("Interrupted while waiting for the " + service + " (" + what + ")", e);
        }
    }
}
