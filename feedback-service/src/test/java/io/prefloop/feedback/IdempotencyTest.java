package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class IdempotencyTest extends FeedbackIntegrationTest {

    @Test
    void aRetriedJudgmentReturnsTheFirstAnswerAndADifferentOneIs409() {
        String project = textProjectWithPairs(1, 2);
        String ann = createLabeler("ann");
        JsonNode task = nextTask(project, ann);
        String path = "/v1/pairs/" + task.get("pair_id").asString() + "/judgments";
        String body = ApiClient.json(Map.of("choice", "a", "elapsed_ms", 800));

        ApiClient.Response first = api.post(path, ann, body, Map.of("Idempotency-Key", "k-1"));
        ApiClient.Response retry = api.post(path, ann, body, Map.of("Idempotency-Key", "k-1"));
        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.json().get("id")).isEqualTo(first.json().get("id"));
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");

        ApiClient.Response changedMind = api.post(path, ann, ApiClient.json(Map.of("choice", "b")),
                Map.of("Idempotency-Key", "k-2"));
        assertThat(changedMind.status()).isEqualTo(409);
        assertThat(changedMind.contentType()).startsWith("application/problem+json");
        ApiClient.Response keyReused = api.post(path, ann, ApiClient.json(Map.of("choice", "b")),
                Map.of("Idempotency-Key", "k-1"));
        assertThat(keyReused.status()).isEqualTo(422);

        Integer stored = jdbc.sql("select count(*) from judgments where pair_id = ?::uuid")
                .param(task.get("pair_id").asString()).query(Integer.class).single();
        assertThat(stored).isEqualTo(1);
        Integer votes = jdbc.sql("select votes_a + votes_b from pairs where id = ?::uuid")
                .param(task.get("pair_id").asString()).query(Integer.class).single();
        assertThat(votes).isEqualTo(1);
    }

    @Test
    void aRetriedProjectCreationCreatesOneProject() {
        String body = ApiClient.json(Map.of("name", "idempotent project", "modality", "text"));
        ApiClient.Response first = api.post("/v1/projects", ADMIN, body, Map.of("Idempotency-Key", "create-1"));
        ApiClient.Response retry = api.post("/v1/projects", ADMIN, body, Map.of("Idempotency-Key", "create-1"));
        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.json().get("id")).isEqualTo(first.json().get("id"));
        Integer projects = jdbc.sql("select count(*) from projects where name = 'idempotent project'")
                .query(Integer.class).single();
        assertThat(projects).isEqualTo(1);

        ApiClient.Response other = api.post("/v1/projects", ADMIN,
                ApiClient.json(Map.of("name", "another", "modality", "text")), Map.of("Idempotency-Key", "create-1"));
        assertThat(other.status()).isEqualTo(422);
    }
}
