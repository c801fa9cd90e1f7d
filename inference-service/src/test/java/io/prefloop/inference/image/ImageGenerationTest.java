package io.prefloop.inference.image;

import io.prefloop.model.diffusion.ImagePng;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.support.InferenceTest;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.shapes.ShapesModel;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Image generation over HTTP against the bare sampler: the served checkpoint (shapes-unet/v0002,
 * whose manifest names shapes-unet/base as its reference) with CFG and with DCO reward guidance.
 */
class ImageGenerationTest extends InferenceTest {

    @BeforeEach
    void served() {
        awaitServed("shapes-unet", "v0002");
    }

    private JsonNode generate(String extra) {
        ApiClient.Response r = api().post("/v1/images/generations", SERVICE,
                "{\"model\":\"shapes-unet\",\"prompt\":\"a red circle\",\"n\":2,\"steps\":6,\"cfg_scale\":3,\"seed\":11"
                        + extra + "}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static List<String> images(JsonNode response) {
        List<String> out = new ArrayList<>();
        response.get("data").forEach(d -> out.add(d.get("b64_json").asString()));
        return out;
    }

    /** What the bare sampler makes with the same settings, as base64 PNGs. */
    private List<String> bare(double rewardGuidance) {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet policy = ShapesModel.load(platform().store, new CheckpointId("shapes-unet", "v0002"), m);
            UNet reference = ShapesModel.load(platform().store, ShapesModel.BASE, m);
            Sampler sampler = rewardGuidance == 0 ? new Sampler(policy, null, policy.spec())
                    : new Sampler(reference, policy, policy.spec());
            SamplerSettings s = SamplerSettings.ddim(6, 3).withRewardGuidance(rewardGuidance);
            float[] flat = sampler.sample(m, List.of("a red circle", "a red circle"), new long[] {11, 12}, s)
                    .toFloatArray();
            int per = 3 * 16 * 16;
            List<String> out = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                out.add(Base64.getEncoder().encodeToString(
                        ImagePng.encode(java.util.Arrays.copyOfRange(flat, i * per, (i + 1) * per), 16)));
            }
            return out;
        }
    }

    @Test
    void cfgImagesCarryCheckpointAndSeedAndEqualTheBareSampler() {
        JsonNode response = generate("");
        assertThat(response.get("data")).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode image = response.get("data").get(i);
            assertThat(image.get("checkpoint").asString()).isEqualTo("shapes-unet/v0002");
            assertThat(image.get("seed").asLong()).isEqualTo(11 + i);
            byte[] png = Base64.getDecoder().decode(image.get("b64_json").asString());
            assertThat(ImagePng.decodeOrNull(png, 16)).isNotNull();
        }
        assertThat(response.get("parameters").get("sampler").asString()).isEqualTo("ddim");
        assertThat(images(response)).containsExactlyElementsOf(bare(0));
        assertThat(images(response).get(0)).isNotEqualTo(images(response).get(1));
    }

    @Test
    void rewardGuidanceZeroIsPlainCfgAndPositiveUsesTheRecordedReference() {
        List<String> plain = images(generate(""));
        List<String> zero = images(generate(",\"reward_guidance_scale\":0"));
        List<String> guided = images(generate(",\"reward_guidance_scale\":2"));
        assertThat(zero).isEqualTo(plain);
        assertThat(guided.get(0)).isNotEqualTo(plain.get(0));
        assertThat(guided.get(1)).isNotEqualTo(plain.get(1));
        // ε̂ = 2·(ε_v0002(z) − ε_base(z)) + 3·(ε_base(z) − ε_base(∅)) + ε_base(∅)
        assertThat(guided).containsExactlyElementsOf(bare(2));
    }

    @Test
    void theSameSeedGivesTheSameImageAndAnotherSeedAnother() {
        JsonNode first = generate("");
        JsonNode again = generate("");
        assertThat(images(again)).isEqualTo(images(first));
        JsonNode other = generate(",\"seed\":12");
        // seed 12 is the second image of seed 11
        assertThat(images(other).get(0)).isEqualTo(images(first).get(1));
        assertThat(images(other).get(1)).isNotEqualTo(images(first).get(1));
        JsonNode random = generate(",\"seed\":-1");
        assertThat(random.get("parameters").get("seed").asLong()).isNotEqualTo(-1);
        assertThat(random.get("data").get(0).get("seed").asLong()).isEqualTo(random.get("parameters").get("seed").asLong());
    }

    @Test
    void pngResponseIsTheImageWithCheckpointAndSeedHeaders() throws Exception {
        String b64 = generate(",\"n\":1").get("data").get(0).get("b64_json").asString();
        java.net.http.HttpResponse<byte[]> png = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + "/v1/images/generations"))
                        .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"shapes-unet\","
                                + "\"prompt\":\"a red circle\",\"n\":1,\"steps\":6,\"cfg_scale\":3,\"seed\":11,"
                                + "\"response_format\":\"png\"}"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(png.statusCode()).isEqualTo(200);
        assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(png.headers().firstValue("Prefloop-Checkpoint")).hasValue("shapes-unet/v0002");
        assertThat(png.headers().firstValue("Prefloop-Seed")).hasValue("11");
        assertThat(Base64.getEncoder().encodeToString(png.body())).isEqualTo(b64);
    }

    @Test
    void negativePromptAndDdpmChangeTheImage() {
        List<String> plain = images(generate(""));
        assertThat(images(generate(",\"negative_prompt\":\"a purple circle\""))).doesNotContainAnyElementsOf(plain);
        JsonNode ddpm = generate(",\"sampler\":\"ddpm\"");
        assertThat(ddpm.get("parameters").get("sampler").asString()).isEqualTo("ddpm");
        assertThat(images(ddpm)).doesNotContainAnyElementsOf(plain);
    }

    @Test
    void rewardGuidanceNeedsAReference() {
        awaitServed("corrupt-unet", "v0001"); // a copy of the base: no reference recorded
        ApiClient.Response r = api().post("/v1/images/generations", SERVICE,
                "{\"model\":\"corrupt-unet\",\"prompt\":\"a red circle\",\"steps\":4,\"reward_guidance_scale\":1}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").get(0).get("field").asString()).isEqualTo("reward_guidance_scale");
    }
}
