package io.prefloop.feedback.idempotency;

import io.prefloop.common.auth.ApiKeys;
import io.prefloop.common.auth.Caller;
import io.prefloop.common.web.ApiException;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Creating POSTs with an {@code Idempotency-Key}: the first request runs and its response is
 * stored in the same transaction; a retry with the same key and body gets that response again,
 * the same key with another body gets 422. The key is claimed before the work runs, so two
 * concurrent retries cannot both create.
 */
@Component
public class Idempotency {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public Idempotency(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Runs {@code create} (which must join the caller's transaction) at most once per key. */
    @Transactional(propagation = Propagation.MANDATORY)
    public ResponseEntity<?> once(Caller caller, String key, Object request, Supplier<?> create) {
        if (key == null) {
            return ResponseEntity.status(HttpStatus.CREATED).body(create.get());
        }
        if (key.isBlank() || key.length() > 200) {
            throw ApiException.invalid("Idempotency-Key", "must be 1 to 200 characters");
        }
        String requestHash = requestHash(request);
        int claimed = jdbc.sql("""
                insert into idempotent_requests (caller_id, key, request_hash, status, body)
                values (?, ?, ?, 0, '') on conflict do nothing""")
                .params(caller.id(), key, requestHash).update();
        if (claimed == 0) {
            return replay(caller, key, requestHash);
        }
        Object body = create.get();
        jdbc.sql("update idempotent_requests set status = 201, body = ? where caller_id = ? and key = ?")
                .params(json.writeValueAsString(body), caller.id(), key).update();
        return ResponseEntity.status(HttpStatus.CREATED).body(body);
    }

    /**
     * The hash a retry must match. Map entries are sorted by key first: callers describe requests
     * with {@code Map.of}, whose iteration order changes from one JVM start to the next, and a retry
     * after a restart must still be recognised as the same request.
     */
    String requestHash(Object request) {
        return ApiKeys.hash(json.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsString(request));
    }

    private ResponseEntity<?> replay(Caller caller, String key, String requestHash) {
        record Stored(String requestHash, int status, String body) {}
        Stored stored = jdbc.sql("select request_hash, status, body from idempotent_requests where caller_id = ? and key = ?")
                .params(caller.id(), key).query(Stored.class).single();
        if (!stored.requestHash().equals(requestHash)) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key reused",
                    "This Idempotency-Key was already used with a different request");
        }
        return ResponseEntity.status(stored.status()).contentType(MediaType.APPLICATION_JSON)
                .header("Idempotent-Replayed", "true").body(stored.body());
    }
}
