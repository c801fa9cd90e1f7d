package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Who may call what: no key 401, bad key 401, wrong role 403, another labeler's task 403. */
class AuthMatrixTest extends FeedbackIntegrationTest {

    @Test
    void callsWithoutAValidKeyAre401() {
        ApiClient.Response none = api.get("/v1/projects", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(api.get("/v1/projects", "pf_not-a-key").status()).isEqualTo(401);
        ApiClient.Response malformed = api.send("GET", "/v1/projects", null, null, null);
        assertThat(malformed.status()).isEqualTo(401);
    }

    @Test
    void eachRoleCallsOnlyWhatItMay() {
        String labeler = createLabeler("role-tester");
        String project = textProjectWithPairs(1, 1);
        String projectBody = ApiClient.json(Map.of("name", "x", "modality", "text"));

        assertThat(api.post("/v1/projects", labeler, projectBody).status()).isEqualTo(403);
        assertThat(api.post("/v1/projects", SERVICE, projectBody).status()).isEqualTo(403);
        assertThat(api.post("/v1/labelers", labeler, "{\"name\":\"me too\"}").status()).isEqualTo(403);
        assertThat(api.post("/v1/labelers", SERVICE, "{\"name\":\"me too\"}").status()).isEqualTo(403);
        assertThat(api.post("/v1/projects/" + project + "/candidates", labeler,
                "{\"prompt\":\"p\",\"text\":\"t\"}").status()).isEqualTo(403);
        assertThat(api.get("/v1/projects/" + project + "/comparisons", labeler).status()).isEqualTo(403);
        assertThat(api.get("/v1/projects/" + project + "/export", labeler).status()).isEqualTo(403);
        assertThat(api.get("/v1/projects/" + project + "/stats", labeler).status()).isEqualTo(403);
        assertThat(api.get("/v1/projects/" + project + "/tasks/next", ADMIN).status()).isEqualTo(403);
        assertThat(api.get("/v1/projects/" + project + "/tasks/next", SERVICE).status()).isEqualTo(403);

        String pair = jdbc.sql("select id::text from pairs where project_id = ?::uuid").param(project)
                .query(String.class).single();
        String scores = ApiClient.json(Map.of("scored_by", "m/v1", "scores", java.util.List.of(Map.of("pair", pair, "p_a", 0.5))));
        String retire = ApiClient.json(Map.of("checkpoints", java.util.List.of("m/v1")));
        byte[] selection = "{\"mode\":\"uncertainty\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(api.post("/v1/projects/" + project + "/pairs/scores", labeler, scores).status()).isEqualTo(403);
        assertThat(api.post("/v1/projects/" + project + "/pairs/retire", labeler, retire).status()).isEqualTo(403);
        assertThat(api.get("/v1/projects/" + project + "/pairs", labeler).status()).isEqualTo(403);
        assertThat(api.get("/v1/projects/" + project + "/pairs/summary", labeler).status()).isEqualTo(403);
        assertThat(api.get("/v1/projects/" + project + "/evaluations", labeler).status()).isEqualTo(403);
        assertThat(api.send("PUT", "/v1/projects/" + project + "/selection", labeler, "application/json", selection)
                .status()).isEqualTo(403);
        byte[] rows = "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String importPath = "/v1/projects/" + project + "/import?format=trl";
        assertThat(api.send("POST", importPath, labeler, "application/x-ndjson", rows).status()).isEqualTo(403);
        assertThat(api.send("POST", importPath, null, "application/x-ndjson", rows).status()).isEqualTo(401);
        assertThat(jdbc.sql("select count(*) from pairs where project_id = ?::uuid").param(project).query(Integer.class)
                .single()).as("a refused import stores nothing").isEqualTo(1);
        assertThat(jdbc.sql("select p_a is null from pairs where id = ?::uuid").param(pair).query(Boolean.class).single())
                .as("a refused call changes nothing").isTrue();

        assertThat(api.get("/v1/projects/" + project, labeler).status()).isEqualTo(200);
        assertThat(api.get("/v1/projects/" + project + "/comparisons", SERVICE).status()).isEqualTo(200);
        assertThat(api.get("/v1/projects/" + project + "/stats", ADMIN).status()).isEqualTo(200);
        assertThat(api.get("/v1/projects/" + project + "/tasks/next", labeler).status()).isEqualTo(200);
        assertThat(api.get("/v1/projects/" + project + "/pairs", SERVICE).status()).isEqualTo(200);
        assertThat(api.get("/v1/projects/" + project + "/pairs/summary", ADMIN).status()).isEqualTo(200);
        assertThat(api.get("/v1/projects/" + project + "/evaluations", ADMIN).status()).isEqualTo(200);
        assertThat(api.get("/v1/projects/" + project + "/evaluations", SERVICE).status()).isEqualTo(200);
        assertThat(api.post("/v1/projects/" + project + "/pairs/scores", SERVICE, scores).status()).isEqualTo(200);
        assertThat(api.post("/v1/projects/" + project + "/pairs/retire", ADMIN, retire).status()).isEqualTo(200);
        assertThat(api.send("PUT", "/v1/projects/" + project + "/selection", SERVICE, "application/json", selection)
                .status()).isEqualTo(200);
        assertThat(api.send("POST", importPath, SERVICE, "application/x-ndjson", rows).status()).isEqualTo(201);
        assertThat(api.send("POST", importPath, ADMIN, "application/jsonl", rows).status()).isEqualTo(201);
    }

    @Test
    void aLabelerCannotUseAnotherLabelersTaskNorSeeTheirJudgments() {
        String project = textProjectWithPairs(2, 2);
        String ann = createLabeler("ann");
        String bob = createLabeler("bob");
        JsonNode annsTask = nextTask(project, ann);

        ApiClient.Response stolen = judge(annsTask, bob, "a");
        assertThat(stolen.status()).isEqualTo(403);
        assertThat(stolen.body()).contains("another labeler");
        assertThat(judge(annsTask, ann, "a").status()).isEqualTo(201);

        String annId = jdbc.sql("select labeler_id::text from judgments where pair_id = ?::uuid")
                .param(annsTask.get("pair_id").asString()).query(String.class).single();
        JsonNode bobsView = api.get("/v1/projects/" + project + "/judgments", bob).json();
        assertThat(bobsView.get("data")).isEmpty();
        assertThat(api.get("/v1/projects/" + project + "/judgments?labeler_id=" + annId, bob).status())
                .isEqualTo(403);
        assertThat(api.get("/v1/projects/" + project + "/judgments", ann).json().get("data")).hasSize(1);
        assertThat(api.get("/v1/projects/" + project + "/judgments", ADMIN).json().get("data")).hasSize(1);
    }

    @Test
    void aRevokedKeyStopsWorking() {
        ApiClient.Response created = api.post("/v1/api-keys", ADMIN, "{\"name\":\"ci bot\",\"role\":\"service\"}");
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().get("key").asString();
        assertThat(api.get("/v1/projects", key).status()).isEqualTo(200);
        assertThat(api.send("DELETE", "/v1/api-keys/" + created.json().get("id").asString(), ADMIN, null, null)
                .status()).isEqualTo(200);
        assertThat(api.get("/v1/projects", key).status()).isEqualTo(401);
        String hash = jdbc.sql("select key_hash from api_keys where id = ?::uuid")
                .param(created.json().get("id").asString()).query(String.class).single();
        assertThat(hash).doesNotContain(key).hasSize(64);
    }
}
