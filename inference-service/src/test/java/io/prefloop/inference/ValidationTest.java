package io.prefloop.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.support.InferenceTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Bad requests are 4xx problem+json naming the field; nothing reaches the sampler. */
class ValidationTest extends InferenceTest {

    private static final String GENERATIONS = "/v1/images/generations";

    @BeforeEach
    void served() {
        awaitServed("shapes-unet", "v0002");
        awaitServed("replies-base", "v0001");
    }

    private void assertField(String path, String body, int status, String field) {
        ApiClient.Response r = api().post(path, SERVICE, body);
        assertThat(r.status()).as(body + " → " + r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        if (field != null) {
            JsonNode errors = r.json().get("errors");
            assertThat(errors).as(r.body()).isNotNull();
            assertThat(errors.findValuesAsString("field")).as(r.body()).contains(field);
        }
    }

    private static String image(String fields) {
        return "{\"model\":\"shapes-unet\",\"prompt\":\"a red circle\"" + fields + "}";
    }

    @Test
    void imageRequestsOutOfRangeNameTheField() {
        assertField(GENERATIONS, image(",\"steps\":0"), 400, "steps");
        assertField(GENERATIONS, image(",\"steps\":10000"), 400, "steps");
        assertField(GENERATIONS, image(",\"n\":17"), 400, "n");
        assertField(GENERATIONS, image(",\"n\":0"), 400, "n");
        assertField(GENERATIONS, image(",\"cfg_scale\":1e308"), 400, "cfg_scale");
        assertField(GENERATIONS, image(",\"cfg_scale\":-1"), 400, "cfg_scale");
        assertField(GENERATIONS, image(",\"reward_guidance_scale\":1e9"), 400, "reward_guidance_scale");
        assertField(GENERATIONS, image(",\"eta\":1.5"), 400, "eta");
        assertField(GENERATIONS, image(",\"seed\":-2"), 400, "seed");
        assertField(GENERATIONS, image(",\"sampler\":\"euler\""), 400, "sampler");
        assertField(GENERATIONS, image(",\"response_format\":\"url\""), 400, "response_format");
        assertField(GENERATIONS, image(",\"response_format\":\"png\",\"n\":2"), 400, "response_format");
        assertField(GENERATIONS, "{\"model\":\"shapes-unet\",\"prompt\":\"" + "a".repeat(1001) + "\"}", 400, "prompt");
        assertField(GENERATIONS, "{\"model\":\"shapes-unet\"}", 400, "prompt");
        assertField(GENERATIONS, "{\"prompt\":\"a red circle\"}", 400, "model");
    }

    @Test
    void nanAndWrongTypesAreRefusedByTheParser() {
        assertField(GENERATIONS, image(",\"cfg_scale\":NaN"), 400, null);
        assertField(GENERATIONS, image(",\"cfg_scale\":\"NaN\""), 400, "cfg_scale");
        assertField(GENERATIONS, image(",\"steps\":\"10\""), 400, "steps");
        assertField(GENERATIONS, image(",\"steps\":2.5"), 400, "steps");
        assertField(GENERATIONS, image(",\"n\":true"), 400, "n");
        assertField(GENERATIONS, image(",\"colour\":\"red\""), 400, "colour");
        ApiClient.Response malformed = api().post(GENERATIONS, SERVICE, "{\"model\":");
        assertThat(malformed.status()).isEqualTo(400);
    }

    @Test
    void unknownModelsAre404AndWrongKindsAre400() {
        assertField(GENERATIONS, "{\"model\":\"no-such-model\",\"prompt\":\"a\"}", 404, "model");
        assertField("/v1/completions", "{\"model\":\"no-such-model\",\"prompt\":\"a\"}", 404, "model");
        assertField("/v1/rewards", "{\"model\":\"no-such-model\",\"prompt\":\"a\",\"candidates\":[{\"text\":\"b\"}]}",
                404, "model");
        assertField(GENERATIONS, "{\"model\":\"replies-base\",\"prompt\":\"a\"}", 400, "model");
        assertField("/v1/completions", "{\"model\":\"shapes-unet\",\"prompt\":\"a\"}", 400, "model");
        assertField("/v1/rewards", "{\"model\":\"replies-base\",\"prompt\":\"a\",\"candidates\":[{\"text\":\"b\"}]}",
                400, "model");
    }

    @Test
    void completionAndRewardRequestsOutOfRangeNameTheField() {
        assertField("/v1/completions", "{\"model\":\"replies-base\",\"prompt\":\"a\",\"max_tokens\":0}", 400, "max_tokens");
        assertField("/v1/completions", "{\"model\":\"replies-base\",\"prompt\":\"a\",\"top_p\":0}", 400, "top_p");
        assertField("/v1/completions", "{\"model\":\"replies-base\",\"prompt\":\"a\",\"temperature\":-1}", 400,
                "temperature");
        assertField("/v1/completions", "{\"model\":\"replies-base\",\"prompt\":\"" + "a".repeat(4001) + "\"}", 400,
                "prompt");
        assertField("/v1/rewards", "{\"model\":\"replies-reward\",\"prompt\":\"a\",\"candidates\":[]}", 400,
                "candidates");
    }

    @Test
    void keysAndRoles() {
        ApiClient.Response none = api().post(GENERATIONS, null, image(""));
        assertThat(none.status()).isEqualTo(401);
        ApiClient.Response wrong = api().post(GENERATIONS, "not-a-key", image(""));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(api().get("/v1/models", null).status()).isEqualTo(401);
    }
}
