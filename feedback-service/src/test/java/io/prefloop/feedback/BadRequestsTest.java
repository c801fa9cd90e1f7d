package io.prefloop.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input of every kind gets a 4xx problem+json that names the problem, and the database is
 * exactly as it was before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadRequestsTest extends FeedbackIntegrationTest {

    private Map<String, String> ids;
    private String labeler;

    @BeforeAll
    void fixtures() {
        client();
        String text = createProject("text", 2, false);
        String image = createProject("image", 1, true);
        String other = createProject("text", 1, true);
        String a = addText(text, "p", "one");
        String b = addText(text, "p", "two");
        String foreign = addText(other, "p", "elsewhere");
        String foreignPair = pair(other, foreign, addText(other, "p", "elsewhere too"));
        ids = Map.of("{text}", text, "{image}", image, "{a}", a, "{b}", b, "{foreign}", foreign,
                "{pair}", pair(text, a, b), "{foreignPair}", foreignPair,
                "{unknown}", "00000000-0000-0000-0000-000000000042");
        labeler = createLabeler("bad-request tester");
    }

    static Stream<Arguments> badRequests() {
        String png = Base64.getEncoder().encodeToString(png(8, 8, 0xff0000));
        String bigPng = Base64.getEncoder().encodeToString(png(600, 20, 0xff0000));
        byte[] truncated = Arrays.copyOf(png(8, 8, 0xff0000), 40);
        String notPng = Base64.getEncoder().encodeToString("hello, I am a text file".getBytes(StandardCharsets.UTF_8));
        String trlRow = "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}";
        String hugeBody = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\",\"modality\":\"text\"}";
        return Stream.of(
                bad("malformed JSON", "POST", "/v1/projects", "admin", "{\"name\":", 400, "not valid JSON"),
                bad("name of the wrong type", "POST", "/v1/projects", "admin", "{\"name\":5,\"modality\":\"text\"}", 400, "name"),
                bad("unknown modality", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"video\"}", 400, "modality"),
                bad("missing modality", "POST", "/v1/projects", "admin", "{\"name\":\"x\"}", 400, "modality"),
                bad("modality as an enum index", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":1}", 400,
                        "modality"),
                bad("empty name", "POST", "/v1/projects", "admin", "{\"name\":\"\",\"modality\":\"text\"}", 400, "name"),
                bad("oversized name", "POST", "/v1/projects", "admin", "{\"name\":\"" + "n".repeat(300) + "\",\"modality\":\"text\"}", 400, "name"),
                bad("zero judgments per pair", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\",\"judgments_per_pair\":0}", 400, "judgments_per_pair"),
                bad("negative judgments per pair", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\",\"judgments_per_pair\":-3}", 400, "judgments_per_pair"),
                bad("NaN as a string for a number", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\",\"judgments_per_pair\":\"NaN\"}", 400, "judgments_per_pair"),
                bad("NaN literal", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\",\"judgments_per_pair\":NaN}", 400, "JSON"),
                bad("fraction for an integer", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\",\"judgments_per_pair\":1.5}", 400, "judgments_per_pair"),
                bad("integer overflow", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\",\"judgments_per_pair\":99999999999}", 400, "judgments_per_pair"),
                bad("string for a boolean", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\",\"allow_ties\":\"yes\"}", 400, "allow_ties"),
                bad("misspelt field", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\",\"judgment_per_pair\":2}", 400, "judgment_per_pair"),
                bad("array instead of object", "POST", "/v1/projects", "admin", "[]", 400, "Invalid"),
                bad("empty body", "POST", "/v1/projects", "admin", "", 400, "body"),
                bad("trailing garbage", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\"} xyz", 400, "JSON"),
                bad("wrong content type", "POST:text/plain", "/v1/projects", "admin", "name=x", 415, "text/plain"),
                bad("huge payload", "POST", "/v1/projects", "admin", hugeBody, 413, "limit"),
                bad("candidate for an unknown project", "POST", "/v1/projects/{unknown}/candidates", "service", "{\"prompt\":\"p\",\"text\":\"t\"}", 404, "{unknown}"),
                bad("both text and image", "POST", "/v1/projects/{text}/candidates", "service", "{\"prompt\":\"p\",\"text\":\"t\",\"image_base64\":\"" + png + "\"}", 400, "exactly one"),
                bad("image for a text project", "POST", "/v1/projects/{text}/candidates", "service", "{\"prompt\":\"p\",\"image_base64\":\"" + png + "\"}", 400, "text"),
                bad("text for an image project", "POST", "/v1/projects/{image}/candidates", "service", "{\"prompt\":\"p\",\"text\":\"t\"}", 400, "image_base64"),
                bad("a text file sent as PNG", "POST", "/v1/projects/{image}/candidates", "service", "{\"prompt\":\"p\",\"image_base64\":\"" + notPng + "\"}", 400, "not a PNG"),
                bad("invalid base64", "POST", "/v1/projects/{image}/candidates", "service", "{\"prompt\":\"p\",\"image_base64\":\"***\"}", 400, "base64"),
                bad("image too large", "POST", "/v1/projects/{image}/candidates", "service", "{\"prompt\":\"p\",\"image_base64\":\"" + bigPng + "\"}", 400, "600"),
                bad("truncated PNG", "POST", "/v1/projects/{image}/candidates", "service", "{\"prompt\":\"p\",\"image_base64\":\"" + Base64.getEncoder().encodeToString(truncated) + "\"}", 400, "image_base64"),
                bad("blank prompt", "POST", "/v1/projects/{text}/candidates", "service", "{\"prompt\":\"  \",\"text\":\"t\"}", 400, "prompt"),
                bad("oversized prompt", "POST", "/v1/projects/{text}/candidates", "service", "{\"prompt\":\"" + "p".repeat(5000) + "\",\"text\":\"t\"}", 400, "prompt"),
                bad("empty text", "POST", "/v1/projects/{text}/candidates", "service", "{\"prompt\":\"p\",\"text\":\"\"}", 400, "text"),
                bad("NUL character in a text", "POST", "/v1/projects/{text}/candidates", "service", "{\"prompt\":\"p\",\"text\":\"a\\u0000b\"}", 400, "NUL"),
                bad("NUL character in a prompt", "POST", "/v1/projects/{text}/candidates", "service", "{\"prompt\":\"p\\u0000\",\"text\":\"t\"}", 400, "NUL"),
                bad("NUL character in a project name", "POST", "/v1/projects", "admin", "{\"name\":\"x\\u0000\",\"modality\":\"text\"}", 400, "cannot be stored"),
                bad("seed that is not a number", "POST", "/v1/projects/{text}/candidates", "service", "{\"prompt\":\"p\",\"text\":\"t\",\"seed\":\"abc\"}", 400, "seed"),
                bad("params that is not an object", "POST", "/v1/projects/{text}/candidates", "service", "{\"prompt\":\"p\",\"text\":\"t\",\"params\":[1,2]}", 400, "params"),
                bad("pair with an unknown candidate", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"{a}\",\"candidate_b\":\"{unknown}\"}", 400, "candidate_b"),
                bad("pair of a candidate with itself", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"{a}\",\"candidate_b\":\"{a}\"}", 400, "candidate_b"),
                bad("pair without candidate_b", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"{a}\"}", 400, "candidate_b"),
                bad("candidate id that is not a UUID", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"not-a-uuid\",\"candidate_b\":\"{b}\"}", 400, "candidate_a"),
                bad("candidate of another project", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"{a}\",\"candidate_b\":\"{foreign}\"}", 400, "another project"),
                bad("pair that already exists", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"{b}\",\"candidate_b\":\"{a}\"}", 409, "already"),
                bad("p_a above 1", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"{a}\",\"candidate_b\":\"{foreign}\",\"p_a\":2}", 400, "p_a"),
                bad("p_a that is not a number", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"{a}\",\"candidate_b\":\"{foreign}\",\"p_a\":\"high\"}", 400, "p_a"),
                bad("oversized scored_by", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"{a}\",\"candidate_b\":\"{foreign}\",\"p_a\":0.5,\"scored_by\":\"" + "m".repeat(201) + "\"}", 400, "scored_by"),
                bad("pair of an unknown purpose", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"{a}\",\"candidate_b\":\"{foreign}\",\"purpose\":\"other\"}", 400, "purpose"),
                bad("pair with a purpose that is not a string", "POST", "/v1/projects/{text}/pairs", "service", "{\"candidate_a\":\"{a}\",\"candidate_b\":\"{foreign}\",\"purpose\":1}", 400, "purpose"),
                bad("malformed JSON for scores", "POST", "/v1/projects/{text}/pairs/scores", "service", "{\"scores\":[", 400, "scores"),
                bad("malformed JSON for retire", "POST", "/v1/projects/{text}/pairs/retire", "service", "{\"checkpoints\":[\"m/v1\"", 400, "checkpoints"),
                bad("malformed JSON for a selection", "PUT", "/v1/projects/{text}/selection", "admin", "{\"mode\":", 400, "JSON"),
                bad("score p_a of 2", "POST", "/v1/projects/{text}/pairs/scores", "service", "{\"scored_by\":\"m/v\",\"scores\":[{\"pair\":\"{pair}\",\"p_a\":2}]}", 400, "scores[0].p_a"),
                bad("negative score p_a", "POST", "/v1/projects/{text}/pairs/scores", "service", "{\"scores\":[{\"pair\":\"{pair}\",\"p_a\":-0.1}]}", 400, "p_a"),
                bad("score without p_a", "POST", "/v1/projects/{text}/pairs/scores", "service", "{\"scores\":[{\"pair\":\"{pair}\"}]}", 400, "p_a"),
                bad("no scores", "POST", "/v1/projects/{text}/pairs/scores", "service", "{\"scored_by\":\"m/v\",\"scores\":[]}", 400, "scores"),
                bad("scores missing", "POST", "/v1/projects/{text}/pairs/scores", "service", "{\"scored_by\":\"m/v\"}", 400, "scores"),
                bad("score of an unknown pair, with a good one", "POST", "/v1/projects/{text}/pairs/scores", "service", "{\"scored_by\":\"m/v\",\"scores\":[{\"pair\":\"{pair}\",\"p_a\":0.3},{\"pair\":\"{unknown}\",\"p_a\":0.4}]}", 400, "{unknown}"),
                bad("score of another project's pair, with a good one", "POST", "/v1/projects/{text}/pairs/scores", "service", "{\"scored_by\":\"m/v\",\"scores\":[{\"pair\":\"{pair}\",\"p_a\":0.3},{\"pair\":\"{foreignPair}\",\"p_a\":0.4}]}", 400, "another project"),
                bad("the same pair scored twice", "POST", "/v1/projects/{text}/pairs/scores", "service", "{\"scores\":[{\"pair\":\"{pair}\",\"p_a\":0.3},{\"pair\":\"{pair}\",\"p_a\":0.4}]}", 400, "twice"),
                bad("scores for an unknown project", "POST", "/v1/projects/{unknown}/pairs/scores", "service", "{\"scores\":[{\"pair\":\"{pair}\",\"p_a\":0.3}]}", 404, "{unknown}"),
                bad("retire without checkpoints", "POST", "/v1/projects/{text}/pairs/retire", "service", "{\"checkpoints\":[]}", 400, "checkpoints"),
                bad("retire with checkpoints missing", "POST", "/v1/projects/{text}/pairs/retire", "service", "{}", 400, "checkpoints"),
                bad("retire a null checkpoint", "POST", "/v1/projects/{text}/pairs/retire", "service", "{\"checkpoints\":[null]}", 400, "checkpoints"),
                bad("retire in an unknown project", "POST", "/v1/projects/{unknown}/pairs/retire", "service", "{\"checkpoints\":[\"m/v1\"]}", 404, "{unknown}"),
                bad("pairs of an unknown status", "GET", "/v1/projects/{text}/pairs?status=pending", "service", null, 400, "status"),
                bad("pairs of an unknown purpose", "GET", "/v1/projects/{text}/pairs?purpose=other", "service", null, 400, "purpose"),
                bad("evaluations of an unknown project", "GET", "/v1/projects/{unknown}/evaluations", "service", null, 404, "{unknown}"),
                bad("pairs after a cursor that is not a pair", "GET", "/v1/projects/{text}/pairs?after=xyz", "service", null, 400, "after"),
                bad("pairs after another project's pair", "GET", "/v1/projects/{text}/pairs?after={foreignPair}", "service", null, 400, "after"),
                bad("pairs with limit 1001", "GET", "/v1/projects/{text}/pairs?limit=1001", "service", null, 400, "limit"),
                bad("pairs of an unknown project", "GET", "/v1/projects/{unknown}/pairs", "service", null, 404, "{unknown}"),
                bad("summary of an unknown project", "GET", "/v1/projects/{unknown}/pairs/summary", "admin", null, 404, "{unknown}"),
                bad("negative random_share at creation", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\",\"selection\":{\"mode\":\"uncertainty\",\"random_share\":-1}}", 400, "random_share"),
                bad("unknown selection mode at creation", "POST", "/v1/projects", "admin", "{\"name\":\"x\",\"modality\":\"text\",\"selection\":{\"mode\":\"greedy\"}}", 400, "mode"),
                bad("negative random_share", "PUT", "/v1/projects/{text}/selection", "service", "{\"mode\":\"uncertainty\",\"random_share\":-1}", 400, "random_share"),
                bad("random_share above 1", "PUT", "/v1/projects/{text}/selection", "service", "{\"mode\":\"uncertainty\",\"random_share\":1.5}", 400, "random_share"),
                bad("unknown selection mode", "PUT", "/v1/projects/{text}/selection", "admin", "{\"mode\":\"greedy\"}", 400, "mode"),
                bad("selection without a mode", "PUT", "/v1/projects/{text}/selection", "admin", "{\"random_share\":0.5}", 400, "mode"),
                bad("selection of an unknown project", "PUT", "/v1/projects/{unknown}/selection", "admin", "{\"mode\":\"fifo\"}", 404, "{unknown}"),
                bad("bulk pairing with max_pairs 0", "POST", "/v1/projects/{text}/pairs/bulk", "service", "{\"max_pairs\":0}", 400, "max_pairs"),
                bad("import without a format", "POST:application/x-ndjson", "/v1/projects/{text}/import", "service", trlRow, 400, "format"),
                bad("import in an unknown format", "POST:application/x-ndjson", "/v1/projects/{text}/import?format=csv", "service", trlRow, 400, "format"),
                bad("trl import into an image project", "POST:application/x-ndjson", "/v1/projects/{image}/import?format=trl", "admin", trlRow, 400, "format"),
                bad("pickapic import into a text project", "POST:application/jsonl", "/v1/projects/{text}/import?format=pickapic", "admin", trlRow, 400, "format"),
                bad("import sent as application/json", "POST", "/v1/projects/{text}/import?format=trl", "admin", trlRow, 415, "application/json"),
                bad("import into an unknown project", "POST:application/x-ndjson", "/v1/projects/{unknown}/import?format=trl", "admin", trlRow, 404, "{unknown}"),
                bad("import without rows", "POST:application/x-ndjson", "/v1/projects/{text}/import?format=trl", "admin", "\n\n", 400, "no rows"),
                bad("import row without rejected", "POST:application/x-ndjson", "/v1/projects/{text}/import?format=trl", "admin", "{\"prompt\":\"p\",\"chosen\":\"a\"}", 400, "rows[1].rejected"),
                bad("import row that is not an object", "POST:application/x-ndjson", "/v1/projects/{text}/import?format=trl", "admin", trlRow + "\n[1, 2]", 400, "rows[2]"),
                bad("import row with trailing garbage", "POST:application/x-ndjson", "/v1/projects/{text}/import?format=trl", "admin", trlRow + " xyz", 400, "rows[1]"),
                bad("import row mixing strings and messages", "POST:application/x-ndjson", "/v1/projects/{text}/import?format=trl", "admin", "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":[{\"role\":\"assistant\",\"content\":\"b\"}]}", 400, "rejected"),
                bad("import row with an image part in a text project", "POST:application/x-ndjson", "/v1/projects/{text}/import?format=trl", "admin", "{\"prompt\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\"}]}],\"chosen\":[{\"role\":\"assistant\",\"content\":\"a\"}],\"rejected\":[{\"role\":\"assistant\",\"content\":\"b\"}]}", 400, "prompt[0].content[0]"),
                bad("import row with a NUL character", "POST:application/x-ndjson", "/v1/projects/{text}/import?format=trl", "admin", "{\"prompt\":\"p\",\"chosen\":\"a\\u0000\",\"rejected\":\"b\"}", 400, "NUL"),
                bad("pickapic row with a text file as image", "POST:application/x-ndjson", "/v1/projects/{image}/import?format=pickapic", "admin", "{\"caption\":\"c\",\"jpg_0\":\"" + png + "\",\"jpg_1\":\"" + notPng + "\",\"label_0\":1,\"label_1\":0}", 400, "not a PNG"),
                bad("pickapic row with labels that are no preference", "POST:application/x-ndjson", "/v1/projects/{image}/import?format=pickapic", "admin", "{\"caption\":\"c\",\"jpg_0\":\"" + png + "\",\"jpg_1\":\"" + png + "\",\"label_0\":0.7,\"label_1\":0.3}", 400, "label"),
                bad("pickapic row with an image found elsewhere", "POST:application/x-ndjson", "/v1/projects/{image}/import?format=pickapic", "admin", "{\"caption\":\"c\",\"image_0_url\":\"https://example.com/x.png\",\"jpg_1\":\"" + png + "\",\"label_0\":1,\"label_1\":0}", 400, "image_0_url"),
                bad("pickapic row with labels as strings", "POST:application/x-ndjson", "/v1/projects/{image}/import?format=pickapic", "admin", "{\"caption\":\"c\",\"jpg_0\":\"" + png + "\",\"jpg_1\":\"" + png + "\",\"label_0\":\"1\",\"label_1\":\"0\"}", 400, "label_0"),
                bad("judgment of an unknown pair", "POST", "/v1/pairs/{unknown}/judgments", "labeler", "{\"choice\":\"a\"}", 404, "{unknown}"),
                bad("unknown choice", "POST", "/v1/pairs/{pair}/judgments", "labeler", "{\"choice\":\"maybe\"}", 400, "choice"),
                bad("tie where ties are not allowed", "POST", "/v1/pairs/{pair}/judgments", "labeler", "{\"choice\":\"tie\"}", 400, "choice"),
                bad("negative elapsed time", "POST", "/v1/pairs/{pair}/judgments", "labeler", "{\"choice\":\"a\",\"elapsed_ms\":-5}", 400, "elapsed_ms"),
                bad("unknown task", "POST", "/v1/pairs/{pair}/judgments", "labeler", "{\"choice\":\"a\",\"task_id\":\"{unknown}\"}", 400, "task_id"),
                bad("project id that is not a UUID", "GET", "/v1/projects/123", "admin", null, 400, "id"),
                bad("unknown project", "GET", "/v1/projects/{unknown}", "admin", null, 404, "{unknown}"),
                bad("limit 0", "GET", "/v1/projects/{text}/comparisons?limit=0", "service", null, 400, "limit"),
                bad("limit not a number", "GET", "/v1/projects/{text}/comparisons?limit=abc", "service", null, 400, "limit"),
                bad("negative cursor", "GET", "/v1/projects/{text}/comparisons?after=-1", "service", null, 400, "after"),
                bad("unknown export format", "GET", "/v1/projects/{text}/export?format=csv", "admin", null, 400, "format"),
                bad("openai export of images", "GET", "/v1/projects/{image}/export?format=openai", "admin", null, 400, "format"),
                bad("tasks of an unknown project", "GET", "/v1/projects/{unknown}/tasks/next", "labeler", null, 404, "{unknown}"),
                bad("labeler without a name", "POST", "/v1/labelers", "admin", "{}", 400, "name"),
                bad("API key with an unknown role", "POST", "/v1/api-keys", "admin", "{\"name\":\"x\",\"role\":\"root\"}", 400, "role"),
                bad("image hash that is not a hash", "GET", "/v1/images/abc.png", null, null, 400, "sha256"),
                bad("unknown image", "GET", "/v1/images/" + "0".repeat(64) + ".png", null, null, 404, "Image"));
    }

    private static Arguments bad(String name, String method, String path, String role, String body, int status,
            String mentions) {
        return Arguments.of(name, method, path, role, body, status, mentions);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void isRefusedWithAProblemAndChangesNothing(String name, String method, String path, String role, String body,
            int status, String mentions) {
        String before = snapshot();
        String resolvedPath = resolve(path);
        String key = switch (role == null ? "" : role) {
            case "admin" -> ADMIN;
            case "service" -> SERVICE;
            case "labeler" -> labeler;
            default -> null;
        };
        String contentType = method.contains(":") ? method.substring(method.indexOf(':') + 1) : "application/json";
        ApiClient.Response response = api.send(method.replaceAll(":.*", ""), resolvedPath, key,
                body == null ? null : contentType, body == null ? null : resolve(body).getBytes(StandardCharsets.UTF_8));

        assertThat(response.status()).as(name + ": " + response.body()).isEqualTo(status);
        assertThat(response.contentType()).as(name).startsWith("application/problem+json");
        assertThat(response.body()).as(name).contains(resolve(mentions));
        assertThat(snapshot()).as(name + " changed the database").isEqualTo(before);
    }

    private String resolve(String text) {
        String out = text;
        for (Map.Entry<String, String> e : ids.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    private String snapshot() {
        return jdbc.sql("""
                select concat_ws(',', (select count(*) from projects), (select count(*) from candidates),
                    (select count(*) from images), (select count(*) from pairs), (select count(*) from tasks),
                    (select count(*) from judgments), (select count(*) from api_keys),
                    (select count(*) from idempotent_requests), (select count(*) from imports),
                    (select coalesce(sum(feed_position), 0) from projects),
                    (select coalesce(sum(votes_a + votes_b + votes_tie + votes_both_bad + skips), 0) from pairs),
                    (select count(*) from pairs where p_a is not null or scored_by is not null or status = 'retired'),
                    (select string_agg(selection_mode || random_share, ' ' order by id) from projects))""")
                .query(String.class).single();
    }
}
