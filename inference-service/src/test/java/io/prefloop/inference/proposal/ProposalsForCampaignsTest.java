package io.prefloop.inference.proposal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.support.InferenceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * What campaigns ask of proposals, against the real feedback-service: a repeated proposal id
 * registers nothing twice, pairs scored by a reward model, an evaluation set of candidates only,
 * a named checkpoint rather than the current one, and open pairs scored again.
 */
class ProposalsForCampaignsTest extends InferenceTest {

    private static final String PROMPT = "Q: What colour is grass?\\nA:";

    private String project(String modality) {
        ApiClient.Response r = platform().feedbackApi().post("/v1/projects", ADMIN,
                "{\"name\":\"campaign proposals\",\"modality\":\"" + modality + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("id").asString();
    }

    private JsonNode propose(String project, String body) {
        ApiClient.Response r = api().post("/v1/projects/" + project + "/proposals", SERVICE, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    @Test
    void theSameProposalIdTwiceRegistersNothingTwice() {
        awaitServed("replies-base", "v0001");
        String project = project("text");
        String body = "{\"model\":\"replies-base\",\"prompts\":[\"" + PROMPT + "\"],\"seed\":3,\"max_tokens\":12,"
                + "\"proposal\":\"" + UUID.randomUUID() + "\"}";
        JsonNode first = propose(project, body);
        JsonNode again = propose(project, body);
        assertThat(again.get("pairs").get(0).get("id").asString()).isEqualTo(first.get("pairs").get(0).get("id").asString());
        assertThat(again.get("candidates").findValuesAsString("id"))
                .isEqualTo(first.get("candidates").findValuesAsString("id"));
        JsonNode summary = platform().feedbackApi().get("/v1/projects/" + project + "/pairs/summary", ADMIN).json();
        assertThat(summary.get("open").asInt()).isEqualTo(1);
    }

    @Test
    void pairsScoredByARewardModelCarryTheBradleyTerryProbability() {
        awaitServed("replies-base", "v0001");
        awaitServed("replies-reward", "v0001");
        String project = project("text");
        JsonNode result = propose(project, "{\"model\":\"replies-base\",\"prompts\":[\"" + PROMPT + "\"],"
                + "\"pairs_per_prompt\":2,\"seed\":9,\"max_tokens\":12,\"score_with\":\"replies-reward\"}");
        for (JsonNode pair : result.get("pairs")) {
            JsonNode stored = platform().feedbackApi().get("/v1/pairs/" + pair.get("id").asString(), ADMIN).json();
            String a = text(pair.get("candidate_a").asString());
            String b = text(pair.get("candidate_b").asString());
            JsonNode rewards = api().post("/v1/rewards", SERVICE, "{\"model\":\"replies-reward\",\"prompt\":\"" + PROMPT
                    + "\",\"candidates\":[{\"text\":" + quote(a) + "},{\"text\":" + quote(b) + "}]}").json();
            double ra = rewards.get("data").get(0).get("reward").asDouble();
            double rb = rewards.get("data").get(1).get("reward").asDouble();
            assertThat(stored.get("p_a").asDouble()).isCloseTo(1 / (1 + Math.exp(-(ra - rb))), within(1e-5));
            assertThat(stored.get("scored_by").asString()).isEqualTo("replies-reward/v0001");
        }

        ApiClient.Response notAReward = api().post("/v1/projects/" + project + "/proposals", SERVICE,
                "{\"model\":\"replies-base\",\"prompts\":[\"x\"],\"score_with\":\"replies-base\"}");
        assertThat(notAReward.status()).isEqualTo(400);
        assertThat(notAReward.body()).contains("score_with");
    }

    @Test
    void openPairsAreScoredAgainWithTheRewardModelsCurrentCheckpoint() {
        awaitServed("replies-base", "v0001");
        awaitServed("replies-reward", "v0001");
        String project = project("text");
        JsonNode result = propose(project, "{\"model\":\"replies-base\",\"prompts\":[\"" + PROMPT + "\",\"Q: 2+2?\\nA:\"],"
                + "\"pairs_per_prompt\":2,\"seed\":11,\"max_tokens\":8}");
        ApiClient.Response scored = api().post("/v1/projects/" + project + "/pair-scores", SERVICE,
                "{\"reward_model\":\"replies-reward\"}");
        assertThat(scored.status()).as(scored.body()).isEqualTo(200);
        assertThat(scored.json().get("scored").asInt()).isEqualTo(4);
        assertThat(scored.json().get("checkpoint").asString()).isEqualTo("replies-reward/v0001");
        for (JsonNode pair : result.get("pairs")) {
            JsonNode stored = platform().feedbackApi().get("/v1/pairs/" + pair.get("id").asString(), ADMIN).json();
            assertThat(stored.get("p_a").asDouble()).isBetween(0.0, 1.0);
            assertThat(stored.get("scored_by").asString()).isEqualTo("replies-reward/v0001");
        }
        ApiClient.Response wrong = api().post("/v1/projects/" + project + "/pair-scores", SERVICE,
                "{\"reward_model\":\"replies-base\"}");
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.body()).contains("reward_model");
        assertThat(api().post("/v1/projects/" + project + "/pair-scores", SERVICE, "{}").status()).isEqualTo(400);
    }

    @Test
    void anEvaluationSetIsCandidatesOnlyFromANamedCheckpoint() {
        awaitServed("shapes-unet", "v0002");
        String project = project("image");
        JsonNode base = propose(project, "{\"model\":\"shapes-unet\",\"prompts\":[\"a red circle\",\"a blue square\"],"
                + "\"candidates_per_prompt\":1,\"candidates_only\":true,\"steps\":2,\"seed\":40,\"checkpoint\":\"base\"}");
        assertThat(base.get("checkpoint").asString()).as("not the current v0002").isEqualTo("shapes-unet/base");
        assertThat(base.get("candidates")).hasSize(2);
        assertThat(base.get("pairs")).isEmpty();
        JsonNode current = propose(project, "{\"model\":\"shapes-unet\",\"prompts\":[\"a red circle\",\"a blue square\"],"
                + "\"candidates_per_prompt\":1,\"candidates_only\":true,\"steps\":2,\"seed\":40}");
        assertThat(current.get("checkpoint").asString()).isEqualTo("shapes-unet/v0002");
        List<String> images = new ArrayList<>();
        for (JsonNode c : List.of(base.get("candidates").get(0), current.get("candidates").get(0))) {
            JsonNode stored = platform().feedbackApi().get("/v1/candidates/" + c.get("id").asString(), ADMIN).json();
            assertThat(stored.get("seed").asLong()).isEqualTo(40);
            images.add(stored.get("image_sha256").asString());
        }
        assertThat(images.get(0)).as("another checkpoint, another image for the same seed").isNotEqualTo(images.get(1));

        ApiClient.Response unknown = api().post("/v1/projects/" + project + "/proposals", SERVICE,
                "{\"model\":\"shapes-unet\",\"prompts\":[\"a\"],\"steps\":2,\"checkpoint\":\"v0999\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body()).contains("checkpoint");
        ApiClient.Response one = api().post("/v1/projects/" + project + "/proposals", SERVICE,
                "{\"model\":\"shapes-unet\",\"prompts\":[\"a\"],\"steps\":2,\"candidates_per_prompt\":1}");
        assertThat(one.status()).as("one candidate makes no pair").isEqualTo(400);
    }

    private String text(String candidate) {
        return platform().feedbackApi().get("/v1/candidates/" + candidate, ADMIN).json().get("text").asString();
    }

    private static String quote(String s) {
        return ApiClient.json(s);
    }
}
