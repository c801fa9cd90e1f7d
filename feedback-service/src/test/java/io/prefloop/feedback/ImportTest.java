package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** POST /v1/projects/{id}/import: preference datasets become resolved training pairs in the comparisons feed. */
class ImportTest extends FeedbackIntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ApiClient.Response importRows(String project, String format, String key, String jsonl,
            Map<String, String> headers) {
        return api.send("POST", "/v1/projects/" + project + "/import?format=" + format, key, "application/x-ndjson",
                jsonl.getBytes(StandardCharsets.UTF_8), headers);
    }

    private JsonNode imported(String project, String format, String jsonl) {
        ApiClient.Response response = importRows(project, format, SERVICE, jsonl, Map.of());
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    private static String rows(Object... rows) {
        StringBuilder out = new StringBuilder();
        for (Object row : rows) {
            out.append(ApiClient.json(row)).append('\n');
        }
        return out.toString();
    }

    private static Map<String, Object> msg(String role, String content) {
        return Map.of("role", role, "content", content);
    }

    private List<JsonNode> feed(String project) {
        JsonNode page = api.get("/v1/projects/" + project + "/comparisons?limit=1000", SERVICE).json();
        List<JsonNode> out = new ArrayList<>();
        page.get("data").forEach(out::add);
        return out;
    }

    private static List<JsonNode> lines(String ndjson) {
        return ndjson.lines().filter(l -> !l.isBlank()).map(JSON::readTree).toList();
    }

    private String counts() {
        return jdbc.sql("""
                select concat_ws(',', (select count(*) from candidates), (select count(*) from pairs),
                    (select count(*) from images), (select count(*) from imports),
                    (select count(*) from idempotent_requests), (select sum(feed_position) from projects))""")
                .query(String.class).single();
    }

    @Test
    void trlStandardAndConversationalRowsBecomeResolvedPairsAfterTheFeedsLastPosition() {
        String project = createProject("text", 1, true);
        String labeler = createLabeler("importer's colleague");
        pair(project, addText(project, "Greet", "Hi!"), addText(project, "Greet", "Go away."));
        assertThat(judge(nextTask(project, labeler), labeler, "a").status()).isEqualTo(201);
        assertThat(feed(project)).hasSize(1);

        Map<String, Object> standard = new LinkedHashMap<>();
        standard.put("prompt", "The sky is");
        standard.put("chosen", " blue.");
        standard.put("rejected", " green.");
        standard.put("ref_chosen_logps", -3.5);
        String jsonl = rows(standard,
                Map.of("prompt", List.of(msg("system", "Be brief."), msg("user", "What color is the sky?")),
                        "chosen", List.of(msg("assistant", "It is blue.")),
                        "rejected", List.of(msg("assistant", "It is green."))),
                Map.of("chosen", List.of(msg("user", "What color is grass?"), msg("assistant", "Green.")),
                        "rejected", List.of(msg("user", "What color is grass?"), msg("assistant", "Purple."))))
                + "\n" // a blank line is skipped but counted: the next row is row 5
                + rows(Map.of("chosen", "The sun is hot.", "rejected", "The sun is cold."));

        JsonNode result = imported(project, "trl", jsonl);
        assertThat(result.get("rows").asInt()).isEqualTo(4);
        assertThat(result.get("pairs").asInt()).isEqualTo(4);
        assertThat(result.get("candidates").asInt()).isEqualTo(8);
        assertThat(result.get("feed_from").asLong()).isEqualTo(2);
        String importId = result.get("import").asString();

        List<JsonNode> feed = feed(project);
        assertThat(feed).extracting(c -> c.get("position").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(feed.get(0).get("source").isNull()).isTrue();
        List<JsonNode> rows = feed.subList(1, 5);
        rows.forEach(c -> {
            assertThat(c.get("source").asString()).isEqualTo("import:" + importId);
            assertThat(c.get("outcome").asString()).isEqualTo("a");
            assertThat(c.get("agreement").asDouble()).isEqualTo(1.0);
            assertThat(c.get("votes").get("a").asInt()).isEqualTo(1);
            assertThat(c.get("chosen").get("id")).isEqualTo(c.get("candidate_a").get("id"));
            assertThat(c.get("chosen").get("model").isNull()).isTrue();
            assertThat(c.get("chosen").get("params").get("import").asString()).isEqualTo(importId);
            assertThat(c.get("chosen").get("params").get("source").asString()).isEqualTo("import");
        });
        assertThat(rows).extracting(c -> c.get("prompt").asString()).containsExactly("The sky is",
                "system: Be brief.\nuser: What color is the sky?", "user: What color is grass?", "The sun is");
        assertThat(rows).extracting(c -> c.get("chosen").get("text").asString())
                .containsExactly(" blue.", "It is blue.", "Green.", " hot.");
        assertThat(rows).extracting(c -> c.get("rejected").get("text").asString())
                .containsExactly(" green.", "It is green.", "Purple.", " cold.");
        assertThat(rows).extracting(c -> c.get("chosen").get("params").get("row").asInt()).containsExactly(1, 2, 3, 5);

        JsonNode standardParams = rows.get(0).get("chosen").get("params");
        assertThat(standardParams.get("extra").get("ref_chosen_logps").asDouble()).isEqualTo(-3.5);
        assertThat(standardParams.has("trl")).as("a standard row is stored as given").isFalse();
        JsonNode conversation = rows.get(1).get("rejected").get("params").get("trl");
        assertThat(conversation.get("prompt").get(1).get("content").asString()).isEqualTo("What color is the sky?");
        assertThat(conversation.get("rejected").get(0).get("content").asString()).isEqualTo("It is green.");
        assertThat(rows.get(2).get("chosen").get("params").get("trl").get("chosen")).hasSize(2);

        assertThat(jdbc.sql("select count(*) from judgments where project_id = ?::uuid").param(project)
                .query(Integer.class).single()).as("nobody judged the imported pairs").isEqualTo(1);
        JsonNode pair = api.get("/v1/pairs/" + rows.get(0).get("pair_id").asString(), ADMIN).json();
        assertThat(pair.get("status").asString()).isEqualTo("resolved");
        assertThat(pair.get("purpose").asString()).isEqualTo("training");
        assertThat(pair.get("source").asString()).isEqualTo("import:" + importId);

        // a labeler is never served an imported pair
        assertThat(nextTask(project, labeler)).isNull();
        // a later judgment goes after the imported rows
        pair(project, addText(project, "Bye", "Bye!"), addText(project, "Bye", "..."));
        assertThat(judge(nextTask(project, labeler), labeler, "b").status()).isEqualTo(201);
        assertThat(feed(project)).extracting(c -> c.get("position").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void aTrlExportOfAJudgedProjectImportsBackToTheSameRows() {
        String judged = createProject("text", 1, true);
        String labeler = createLabeler("round-tripper");
        pair(judged, addText(judged, "Greet", "Hi there!"), addText(judged, "Greet", "Whatever."));
        pair(judged, addText(judged, "Thank", "Thanks!"), addText(judged, "Thank", "Thanks a lot!\n\"Really\" ✓"));
        pair(judged, addText(judged, "Part", "Bye."), addText(judged, "Part", "Farewell."));
        judge(nextTask(judged, labeler), labeler, "a");
        judge(nextTask(judged, labeler), labeler, "b");
        judge(nextTask(judged, labeler), labeler, "tie");
        String exported = api.get("/v1/projects/" + judged + "/export?format=trl", ADMIN).body();
        assertThat(lines(exported)).hasSize(2);

        String copy = createProject("text", 1, true);
        assertThat(imported(copy, "trl", exported).get("rows").asInt()).isEqualTo(2);
        String again = api.get("/v1/projects/" + copy + "/export?format=trl", ADMIN).body();
        assertThat(lines(again)).isEqualTo(lines(exported));
        assertThat(lines(again).get(1).get("chosen").asString()).isEqualTo("Thanks a lot!\n\"Really\" ✓");
    }

    @Test
    void pickapicRowsWithATieBecomeATieAndExportBack() {
        String project = createProject("image", 1, true);
        byte[] red = png(12, 12, 0xff0000);
        byte[] blue = png(12, 12, 0x0000ff);
        String r = Base64.getEncoder().encodeToString(red);
        String b = Base64.getEncoder().encodeToString(blue);
        String jsonl = rows(
                Map.of("caption", "a red square", "jpg_0", r, "jpg_1", b, "label_0", 1, "label_1", 0, "model_0", "sd-1"),
                Map.of("caption", "a square", "image_0", r, "image_1", b, "label_0", 0.5, "label_1", 0.5),
                Map.of("caption", "a blue square", "jpg_0", r, "jpg_1", b, "label_0", 0.0, "label_1", 1.0));
        JsonNode result = imported(project, "pickapic", jsonl);
        assertThat(result.get("candidates").asInt()).isEqualTo(6);

        List<JsonNode> feed = feed(project);
        assertThat(feed).extracting(c -> c.get("outcome").asString()).containsExactly("a", "tie", "b");
        assertThat(feed).extracting(c -> c.get("prompt").asString())
                .containsExactly("a red square", "a square", "a blue square");
        assertThat(feed.get(0).get("chosen").get("image_sha256").asString())
                .isEqualTo(io.prefloop.common.io.Sha256.hex(red));
        assertThat(feed.get(2).get("chosen").get("image_sha256").asString())
                .isEqualTo(io.prefloop.common.io.Sha256.hex(blue));
        assertThat(feed.get(1).get("chosen").isNull()).isTrue();
        assertThat(feed.get(1).get("votes").get("tie").asInt()).isEqualTo(1);
        assertThat(feed.get(0).get("candidate_a").get("params").get("extra").get("model_0").asString()).isEqualTo("sd-1");
        assertThat(api.get(feed.get(0).get("chosen").get("image_url").asString()
                .replaceFirst("^https?://[^/]+", ""), null).status()).isEqualTo(200);

        List<JsonNode> exported = lines(api.get("/v1/projects/" + project + "/export?format=pickapic", ADMIN).body());
        assertThat(exported).extracting(e -> e.get("label_0").asDouble()).containsExactly(1.0, 0.5, 0.0);
        assertThat(exported.get(0).get("user_id").asString()).isEqualTo("import:" + result.get("import").asString());

        // the export imports back (its image URLs name images stored here): same captions, images and labels
        String copy = createProject("image", 1, true);
        imported(copy, "pickapic", exported.stream().map(ApiClient::json).reduce("", (x, y) -> x + y + "\n"));
        List<JsonNode> copied = feed(copy);
        assertThat(copied).extracting(c -> c.get("outcome").asString()).containsExactly("a", "tie", "b");
        for (int i = 0; i < 3; i++) {
            assertThat(copied.get(i).get("candidate_a").get("image_sha256"))
                    .isEqualTo(feed.get(i).get("candidate_a").get("image_sha256"));
            assertThat(copied.get(i).get("candidate_b").get("image_sha256"))
                    .isEqualTo(feed.get(i).get("candidate_b").get("image_sha256"));
        }
    }

    @Test
    void aBadRowInTheMiddleRefusesTheWholeImportNamingTheRow() {
        String project = createProject("text", 1, true);
        String good = ApiClient.json(Map.of("prompt", "p", "chosen", "a", "rejected", "b"));
        String before = counts();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(good + "\n{\"prompt\": \"p\", \"chosen\": \"a\"}\n" + good, "rejected");
        cases.put(good + "\n{\"prompt\": \"p\", \"chosen\": \"\", \"rejected\": \"b\"}\n" + good, "chosen");
        cases.put(good + "\n{\"prompt\": \"p\", \"chosen\": \"a\", \n" + good, "not valid JSON");
        cases.put(good + "\n{\"prompt\": \"p\", \"chosen\": [{\"role\": \"assistant\"}], \"rejected\": [{\"role\": \"assistant\", "
                + "\"content\": \"x\"}]}\n" + good, "chosen[0].content");
        cases.put(good + "\n{\"prompt\": \"" + "p".repeat(5000) + "\", \"chosen\": \"a\", \"rejected\": \"b\"}\n" + good,
                "4000");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ApiClient.Response response = importRows(project, "trl", ADMIN, c.getKey(), Map.of());
            assertThat(response.status()).as(response.body()).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.body()).contains("row 2").contains("rows[2]").contains(c.getValue());
            assertThat(counts()).as("nothing stored").isEqualTo(before);
        }
        String image = createProject("image", 1, true);
        String before2 = counts();
        String r = Base64.getEncoder().encodeToString(png(8, 8, 0xff0000));
        String notPng = Base64.getEncoder().encodeToString("just text".getBytes(StandardCharsets.UTF_8));
        ApiClient.Response notAPng = importRows(image, "pickapic", ADMIN, rows(
                Map.of("caption", "c", "jpg_0", r, "jpg_1", r, "label_0", 1, "label_1", 0),
                Map.of("caption", "c", "jpg_0", r, "jpg_1", r, "label_0", 1, "label_1", 0),
                Map.of("caption", "c", "jpg_0", r, "jpg_1", notPng, "label_0", 1, "label_1", 0)), Map.of());
        assertThat(notAPng.status()).isEqualTo(400);
        assertThat(notAPng.body()).contains("row 3").contains("jpg_1").contains("not a PNG");
        ApiClient.Response notAPreference = importRows(image, "pickapic", ADMIN, rows(
                Map.of("caption", "c", "jpg_0", r, "jpg_1", r, "label_0", 1, "label_1", 1)), Map.of());
        assertThat(notAPreference.status()).isEqualTo(400);
        assertThat(notAPreference.body()).contains("row 1").contains("label");
        assertThat(counts()).isEqualTo(before2);
        assertThat(jdbc.sql("select count(*) from pairs where project_id = ?::uuid").param(project).query(Integer.class)
                .single()).isZero();
    }

    @Test
    void moreThanTenThousandRowsAre413() {
        String project = createProject("text", 1, true);
        String row = "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n";
        ApiClient.Response response = importRows(project, "trl", ADMIN, row.repeat(10_001), Map.of());
        assertThat(response.status()).as(response.body()).isEqualTo(413);
        assertThat(response.body()).contains("10000");
        assertThat(jdbc.sql("select count(*) from candidates where project_id = ?::uuid").param(project)
                .query(Integer.class).single()).isZero();
        assertThat(imported(project, "trl", row.repeat(10_000)).get("pairs").asInt()).isEqualTo(10_000);
        assertThat(api.get("/v1/projects/" + project + "/comparisons?after=9999", SERVICE).json().get("data").get(0)
                .get("position").asLong()).isEqualTo(10_000);
    }

    @Test
    void aRepeatedIdempotencyKeyReplaysTheImport() {
        String project = createProject("text", 1, true);
        String jsonl = rows(Map.of("prompt", "p", "chosen", "yes", "rejected", "no"));
        ApiClient.Response first = importRows(project, "trl", SERVICE, jsonl, Map.of("Idempotency-Key", "import-1"));
        ApiClient.Response retry = importRows(project, "trl", SERVICE, jsonl, Map.of("Idempotency-Key", "import-1"));
        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(feed(project)).hasSize(1);
        ApiClient.Response other = importRows(project, "trl", SERVICE,
                rows(Map.of("prompt", "p", "chosen", "other", "rejected", "no")), Map.of("Idempotency-Key", "import-1"));
        assertThat(other.status()).isEqualTo(422);
        assertThat(feed(project)).hasSize(1);
    }

    @Test
    void labelersMayNotImport() {
        String project = createProject("text", 1, true);
        String labeler = createLabeler("would-be importer");
        ApiClient.Response response = importRows(project, "trl", labeler,
                rows(Map.of("prompt", "p", "chosen", "a", "rejected", "b")), Map.of());
        assertThat(response.status()).isEqualTo(403);
        assertThat(feed(project)).isEmpty();
    }

    @Test
    void statsOfAProjectWithImportedPairsWork() {
        String project = createProject("text", 2, true);
        imported(project, "trl", rows(Map.of("prompt", "p", "chosen", "a", "rejected", "b"),
                Map.of("prompt", "q", "chosen", "c", "rejected", "d")));
        ApiClient.Response response = api.get("/v1/projects/" + project + "/stats", ADMIN);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode stats = response.json();
        assertThat(stats.get("pairs").get("resolved").asLong()).isEqualTo(2);
        assertThat(stats.get("outcomes").get("a").asLong()).isEqualTo(2);
        assertThat(stats.get("judgments").asLong()).isZero();
        assertThat(stats.get("krippendorff_alpha").isNull()).isTrue();
        assertThat(stats.get("labelers")).isEmpty();
        assertThat(api.get("/v1/projects/" + project + "/stats/activity", ADMIN).status()).isEqualTo(200);
        assertThat(api.get("/v1/projects/" + project + "/pairs/summary", ADMIN).json().get("by_checkpoint").get(0)
                .get("resolved").asLong()).isEqualTo(2);
        assertThat(api.get("/v1/projects/" + project + "/samples", ADMIN).status()).isEqualTo(200);
        String watcher = createLabeler("watcher");
        JsonNode progress = api.get("/v1/projects/" + project + "/progress", watcher).json();
        assertThat(progress.get("pairs_open").asLong()).isZero();
        assertThat(progress.get("judgments_left").asLong()).isZero();

        // judged pairs next to imported ones: alpha still measures the judged pairs only
        String ann = createLabeler("ann");
        String bob = createLabeler("bob");
        pair(project, addText(project, "r", "one"), addText(project, "r", "two"));
        judge(nextTask(project, ann), ann, "a");
        judge(nextTask(project, bob), bob, "a");
        JsonNode mixed = api.get("/v1/projects/" + project + "/stats", ADMIN).json();
        assertThat(mixed.get("pairs").get("resolved").asLong()).isEqualTo(3);
        assertThat(mixed.get("judgments").asLong()).isEqualTo(2);
        assertThat(mixed.get("labelers")).hasSize(2);
        assertThat(mixed.get("labelers").get(0).get("agreement_with_consensus").asDouble()).isEqualTo(1.0);
    }
}
