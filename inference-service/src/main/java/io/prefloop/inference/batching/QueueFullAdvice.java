package io.prefloop.inference.batching;

import io.prefloop.common.web.ProblemHandler;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** A full batching queue (images or completions) is the server's condition, not the client's fault: 503 with Retry-After. */
// before the platform's catch-all handler, which would answer 500
@Order(Ordered.HIGHEST_PRECEDENCE)
@RestControllerAdvice
class QueueFullAdvice {

    @ExceptionHandler(QueueFullException.class)
    ResponseEntity<ProblemDetail> queueFull(QueueFullException e) {
        ResponseEntity<ProblemDetail> problem = ProblemHandler.problem(HttpStatus.SERVICE_UNAVAILABLE, "Overloaded",
                e.getMessage() + "; retry later", List.of());
        return ResponseEntity.status(problem.getStatusCode()).headers(problem.getHeaders())
                .header("Retry-After", Long.toString(e.retryAfterSeconds())).body(problem.getBody());
    }
}
