package io.prefloop.feedback.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** A retry is recognised whatever order the request's map happens to iterate in (Map.of's changes per JVM start). */
class RequestHashTest {

    private final Idempotency idempotency = new Idempotency(null, JsonMapper.builder().build());

    @Test
    void theSameEntriesInAnotherOrderHashAlike() {
        Map<String, Object> ab = new LinkedHashMap<>();
        ab.put("project", "p");
        ab.put("pair", Map.of("candidate_a", "x", "candidate_b", "y"));
        Map<String, Object> ba = new LinkedHashMap<>();
        ba.put("pair", Map.of("candidate_b", "y", "candidate_a", "x"));
        ba.put("project", "p");
        assertThat(idempotency.requestHash(ab)).isEqualTo(idempotency.requestHash(ba));
        ab.put("project", "q");
        assertThat(idempotency.requestHash(ab)).isNotEqualTo(idempotency.requestHash(ba));
    }
}
