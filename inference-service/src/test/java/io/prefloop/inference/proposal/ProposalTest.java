package io.prefloop.inference.proposal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.prefloop.common.io.Sha256;
import io.prefloop.common.test.ApiClient;
import io.prefloop.model.diffusion.ImagePng;
import io.prefloop.inference.support.InferenceTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Proposals sample from the current checkpoint and land as candidates and pairs in the real feedback-service. */
class ProposalTest extends InferenceTest {

    private String project(String modality) {
        ApiClient.Response r = platform().feedbackApi().post("/v1/projects", ADMIN,
                "{\"name\":\"proposals " + modality + "\",\"modality\":\"" + modality + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    @Test
    void imageProposalsWithTrajectoriesBecomePairedCandidates() throws Exception {
        awaitServed("shapes-unet", "v0002");
        String project = project("image");
        ApiClient.Response r = api().post("/v1/projects/" + project + "/proposals", SERVICE, """
                {"model":"shapes-unet","prompts":["a red circle","a blue square"],"pairs_per_prompt":2,
                 "steps":4,"cfg_scale":3,"seed":50,"trajectories":true}""");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode result = r.json();
        assertThat(result.get("checkpoint").asString()).isEqualTo("shapes-unet/v0002");
        assertThat(result.get("candidates")).hasSize(8);
        assertThat(result.get("pairs")).hasSize(4);

        ApiClient feedback = platform().feedbackApi();
        for (int k = 0; k < 8; k++) {
            JsonNode mine = result.get("candidates").get(k);
            JsonNode stored = feedback.get("/v1/candidates/" + mine.get("id").asString(), ADMIN).json();
            assertThat(stored.get("prompt").asString()).isEqualTo(k < 4 ? "a red circle" : "a blue square");
            assertThat(stored.get("model").asString()).isEqualTo("shapes-unet");
            assertThat(stored.get("checkpoint").asString()).isEqualTo("shapes-unet/v0002");
            assertThat(stored.get("seed").asLong()).isEqualTo(50 + k);
            JsonNode params = stored.get("params");
            assertThat(params.get("sampler").asString()).isEqualTo("ddim");
            assertThat(params.get("steps").asInt()).isEqualTo(4);
            assertThat(params.get("cfg_scale").asDouble()).isEqualTo(3.0);
            JsonNode trajectory = params.get("trajectory");
            assertThat(trajectory.get("eta").asDouble()).isEqualTo(1.0);
            assertThat(trajectory.get("steps").asInt()).isEqualTo(4);
            assertThat(trajectory.get("sampler").asString()).isEqualTo("ddim");
            String path = trajectory.get("path").asString();
            assertThat(path).matches("trajectories/shapes-unet/[0-9a-f-]{36}\\.safetensors");

            Path file = platform().store.root().resolve(path);
            byte[] bytes = Files.readAllBytes(file);
            assertThat(Sha256.hex(bytes)).isEqualTo(trajectory.get("sha256").asString());
            try (NDManager m = NDManager.newBaseManager()) {
                NDList tensors = NDList.decode(m, bytes);
                NDArray latents = tensors.get("latents");
                NDArray logProbs = tensors.get("log_probs");
                NDArray timesteps = tensors.get("timesteps");
                assertThat(latents.getShape()).isEqualTo(new Shape(5, 3, 16, 16));
                assertThat(latents.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(logProbs.getShape()).isEqualTo(new Shape(4));
                assertThat(timesteps.getDataType()).isEqualTo(DataType.INT32);
                int[] ts = timesteps.toIntArray();
                assertThat(ts).hasSize(4);
                assertThat(ts[0]).isGreaterThan(ts[3]);
                for (float lp : logProbs.toFloatArray()) {
                    assertThat(lp).isFinite();
                }
                // x_T first: the candidate's seed's own noise
                float[] xT = latents.get(0).toFloatArray();
                Random noise = new Random(50 + k);
                for (int i = 0; i < 8; i++) {
                    assertThat(xT[i]).isEqualTo((float) noise.nextGaussian());
                }
                // x_0 last: the candidate's image
                byte[] png = ImagePng.encode(latents.get(4).clip(-1, 1).toFloatArray(), 16);
                assertThat(Sha256.hex(png)).isEqualTo(stored.get("image_sha256").asString());
            }
        }
        for (int p = 0; p < 4; p++) {
            JsonNode pair = feedback.get("/v1/pairs/" + result.get("pairs").get(p).get("id").asString(), ADMIN).json();
            assertThat(pair.get("candidate_a").asString()).isEqualTo(result.get("candidates").get(2 * p).get("id").asString());
            assertThat(pair.get("candidate_b").asString())
                    .isEqualTo(result.get("candidates").get(2 * p + 1).get("id").asString());
        }
    }

    @Test
    void textProposalsAreCompletionsThatTheCompletionsEndpointReproduces() {
        awaitServed("replies-base", "v0001");
        String project = project("text");
        String prompt = "Q: What colour is grass?\\nA:";
        ApiClient.Response r = api().post("/v1/projects/" + project + "/proposals", ADMIN,
                "{\"model\":\"replies-base\",\"prompts\":[\"" + prompt + "\"],\"seed\":7,\"max_tokens\":24}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode result = r.json();
        assertThat(result.get("candidates")).hasSize(2);
        assertThat(result.get("pairs")).hasSize(1);
        JsonNode completions = api().post("/v1/completions", SERVICE,
                "{\"model\":\"replies-base\",\"prompt\":\"" + prompt + "\",\"seed\":7,\"n\":2,\"max_tokens\":24}").json();
        for (int i = 0; i < 2; i++) {
            JsonNode stored = platform().feedbackApi()
                    .get("/v1/candidates/" + result.get("candidates").get(i).get("id").asString(), ADMIN).json();
            assertThat(stored.get("checkpoint").asString()).isEqualTo("replies-base/v0001");
            assertThat(stored.get("seed").asLong()).isEqualTo(7);
            assertThat(stored.get("params").get("choice").asInt()).isEqualTo(i);
            assertThat(stored.get("text").asString()).isEqualTo(completions.get("choices").get(i).get("text").asString());
        }
    }

    @Test
    void candidatesPerPromptPairsEveryTwoCandidatesOfAPrompt() {
        awaitServed("shapes-unet", "v0002");
        String project = project("image");
        ApiClient.Response r = api().post("/v1/projects/" + project + "/proposals", SERVICE, """
                {"model":"shapes-unet","prompts":["a red circle","a blue square"],"candidates_per_prompt":4,
                 "steps":2,"seed":70}""");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode result = r.json();
        assertThat(result.get("candidates")).hasSize(8);
        assertThat(result.get("pairs")).as("4·3/2 pairs per prompt").hasSize(12);
        java.util.Map<String, String> promptOf = new java.util.HashMap<>();
        result.get("candidates").forEach(c -> promptOf.put(c.get("id").asString(), c.get("prompt").asString()));
        java.util.Set<String> distinct = new java.util.HashSet<>();
        for (JsonNode pair : result.get("pairs")) {
            String a = pair.get("candidate_a").asString();
            String b = pair.get("candidate_b").asString();
            assertThat(promptOf.get(a)).as("pairs never mix prompts").isEqualTo(promptOf.get(b));
            assertThat(a).isNotEqualTo(b);
            distinct.add(a.compareTo(b) < 0 ? a + b : b + a);
        }
        assertThat(distinct).as("no pair twice").hasSize(12);
        for (JsonNode pair : result.get("pairs")) {
            JsonNode stored = platform().feedbackApi().get("/v1/pairs/" + pair.get("id").asString(), ADMIN).json();
            assertThat(stored.get("candidate_a").asString()).isEqualTo(pair.get("candidate_a").asString());
            assertThat(stored.get("candidate_b").asString()).isEqualTo(pair.get("candidate_b").asString());
        }

        ApiClient.Response both = api().post("/v1/projects/" + project + "/proposals", SERVICE,
                "{\"model\":\"shapes-unet\",\"prompts\":[\"a\"],\"pairs_per_prompt\":1,\"candidates_per_prompt\":3}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("errors").get(0).get("field").asString()).isEqualTo("candidates_per_prompt");
    }

    @Test
    void badProposalsAreRefused() {
        awaitServed("shapes-unet", "v0002");
        String images = project("image");
        ApiClient.Response eta = api().post("/v1/projects/" + images + "/proposals", SERVICE,
                "{\"model\":\"shapes-unet\",\"prompts\":[\"a red circle\"],\"steps\":4,\"eta\":0,\"trajectories\":true}");
        assertThat(eta.status()).isEqualTo(400);
        assertThat(eta.json().get("errors").get(0).get("field").asString()).isEqualTo("eta");
        ApiClient.Response many = api().post("/v1/projects/" + images + "/proposals", SERVICE,
                "{\"model\":\"shapes-unet\",\"prompts\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"],"
                        + "\"pairs_per_prompt\":16}");
        assertThat(many.status()).isEqualTo(400);
        assertThat(many.json().get("errors").get(0).get("field").asString()).isEqualTo("pairs_per_prompt");
        ApiClient.Response noProject = api().post("/v1/projects/" + java.util.UUID.randomUUID() + "/proposals", SERVICE,
                "{\"model\":\"shapes-unet\",\"prompts\":[\"a red circle\"],\"steps\":2}");
        assertThat(noProject.status()).as(noProject.body()).isEqualTo(404);
        ApiClient.Response wrongModality = api().post("/v1/projects/" + project("text") + "/proposals", SERVICE,
                "{\"model\":\"shapes-unet\",\"prompts\":[\"a red circle\"],\"steps\":2}");
        assertThat(wrongModality.status()).as(wrongModality.body()).isEqualTo(422);
        assertThat(wrongModality.contentType()).startsWith("application/problem+json");
    }
}
