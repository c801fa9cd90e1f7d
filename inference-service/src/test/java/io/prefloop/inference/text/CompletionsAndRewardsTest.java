package io.prefloop.inference.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.prefloop.common.test.ApiClient;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.inference.support.InferenceTest;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.TransformerSpec;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CompletionsAndRewardsTest extends InferenceTest {

    private static final String PROMPT = "Q: What colour is grass?\\nA:";

    private JsonNode complete(String extra) {
        ApiClient.Response r = api().post("/v1/completions", SERVICE,
                "{\"model\":\"replies-base\",\"prompt\":\"" + PROMPT + "\",\"max_tokens\":20" + extra + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void completionsAreSeededAndNameTheirCheckpoint() {
        awaitServed("replies-base", "v0001");
        JsonNode a = complete(",\"seed\":3,\"n\":3");
        JsonNode b = complete(",\"seed\":3,\"n\":3");
        assertThat(a.get("checkpoint").asString()).isEqualTo("replies-base/v0001");
        assertThat(a.get("object").asString()).isEqualTo("text_completion");
        assertThat(a.get("choices")).hasSize(3);
        assertThat(a.get("choices").findValuesAsString("text")).isEqualTo(b.get("choices").findValuesAsString("text"));
        assertThat(a.get("choices").findValuesAsString("finish_reason")).allMatch(f -> f.equals("stop") || f.equals("length"));
        // greedy decoding ignores the seed
        assertThat(complete(",\"temperature\":0,\"seed\":1").get("choices").get(0).get("text").asString())
                .isEqualTo(complete(",\"temperature\":0,\"seed\":2").get("choices").get(0).get("text").asString());
        assertThat(complete(",\"seed\":-1").get("seed").asLong()).isNotNegative();
    }

    @Test
    void textRewardsAreTheModelsScoresAndNormalisedWithItsMetrics() {
        awaitServed("replies-reward", "v0001");
        ApiClient.Response r = api().post("/v1/rewards", SERVICE, "{\"model\":\"replies-reward\",\"prompt\":\"" + PROMPT
                + "\",\"candidates\":[{\"text\":\" Grass is green.\"},{\"text\":\" dunno lol\"}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode data = r.json().get("data");
        assertThat(r.json().get("checkpoint").asString()).isEqualTo("replies-reward/v0001");
        try (NDManager m = NDManager.newBaseManager()) {
            var cp = platform().store.load(new CheckpointId("replies-reward", "v0001"), m);
            TextRewardModel model = TextRewardModel.create(TransformerSpec.fromMap(cp.manifest().architecture()), m);
            BlockWeights.load(model, cp.weights());
            float[] expected = model.forward(new ParameterStore(m, false),
                    model.inputs(m, new ByteTokenizer(), List.of("Q: What colour is grass?\nA:", "Q: What colour is grass?\nA:"),
                            List.of(" Grass is green.", " dunno lol")), false).head().toFloatArray();
            for (int i = 0; i < 2; i++) {
                assertThat(data.get(i).get("reward").asDouble()).isCloseTo(expected[i], within(1e-5));
                // the manifest records reward_mean 0.5, reward_std 2
                assertThat(data.get(i).get("normalized").asDouble())
                        .isCloseTo((data.get(i).get("reward").asDouble() - 0.5) / 2.0, within(1e-9));
            }
        }
        assertThat(data.get(0).get("reward").asDouble()).isNotEqualTo(data.get(1).get("reward").asDouble());
    }

    @Test
    void imageRewardsReadPngsOfTheModelsSize() {
        awaitServed("shapes-reward", "v0001");
        String red = Base64.getEncoder().encodeToString(ImagePng.encode(fill(16, 1f, -1f, -1f), 16));
        String blue = Base64.getEncoder().encodeToString(ImagePng.encode(fill(16, -1f, -1f, 1f), 16));
        ApiClient.Response r = api().post("/v1/rewards", SERVICE, "{\"model\":\"shapes-reward\",\"prompt\":\"a red circle\","
                + "\"candidates\":[{\"image_base64\":\"" + red + "\"},{\"image_base64\":\"" + blue + "\"}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode data = r.json().get("data");
        assertThat(data.get(0).get("reward").asDouble()).isNotEqualTo(data.get(1).get("reward").asDouble());
        assertThat(data.get(0).get("normalized").asDouble()).isEqualTo(data.get(0).get("reward").asDouble());

        String small = Base64.getEncoder().encodeToString(ImagePng.encode(fill(8, 0f, 0f, 0f), 8));
        ApiClient.Response wrongSize = api().post("/v1/rewards", SERVICE, "{\"model\":\"shapes-reward\",\"prompt\":\"a\","
                + "\"candidates\":[{\"image_base64\":\"" + small + "\"}]}");
        assertThat(wrongSize.status()).isEqualTo(400);
        assertThat(wrongSize.json().get("errors").get(0).get("field").asString()).isEqualTo("candidates[0].image_base64");
        ApiClient.Response text = api().post("/v1/rewards", SERVICE, "{\"model\":\"shapes-reward\",\"prompt\":\"a\","
                + "\"candidates\":[{\"text\":\"b\"}]}");
        assertThat(text.status()).isEqualTo(400);
        assertThat(text.json().get("errors").get(0).get("field").asString()).isEqualTo("candidates[0]");
    }

    private static float[] fill(int size, float r, float g, float b) {
        float[] chw = new float[3 * size * size];
        for (int i = 0; i < size * size; i++) {
            chw[i] = r;
            chw[size * size + i] = g;
            chw[2 * size * size + i] = b;
        }
        return chw;
    }
}
