package io.prefloop.trainer.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prefloop.common.test.ApiClient;
import io.prefloop.trainer.FeedbackForTrainer;
import io.prefloop.trainer.TrainerIntegrationTest;
import io.prefloop.trainer.TrainerTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Campaigns through the trainer's API against the real feedback-service. The inference-service is
 * a stand-in here that registers text candidates and pairs in the feedback-service the way the real
 * one does (same idempotency keys, made from the proposal id) and says which checkpoint it serves;
 * the closed loop's test runs campaigns against the real inference-service.
 */
@TestPropertySource(properties = {"prefloop.auth.admin-key=" + CampaignTest.ADMIN,
        "prefloop.auth.service-key=" + CampaignTest.SERVICE, "prefloop.trainer.workers.count=1",
        "prefloop.trainer.workers.poll=200ms", "prefloop.trainer.campaigns.poll=200ms",
        "prefloop.trainer.policies.poll=300ms"})
class CampaignTest extends TrainerIntegrationTest {

    static final String ADMIN = "campaign-admin";
    static final String SERVICE = "campaign-service";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @RegisterExtension
    static final FeedbackForTrainer FEEDBACK = new FeedbackForTrainer("prefloop-campaign-", ADMIN, SERVICE);

    private static final InferenceStandIn INFERENCE = new InferenceStandIn();

    @DynamicPropertySource
    static void wire(DynamicPropertyRegistry registry) throws IOException {
        FEEDBACK.wire(registry);
        TrainerTestSupport.copyCommitted("replies-base", "v0001", FEEDBACK.store(), "replies-base");
        // a second version of the same weights: a "newer checkpoint" to promote
        Path v2 = Files.createDirectories(FEEDBACK.store().resolve("replies-base/v0002"));
        for (Path f : Files.list(FEEDBACK.store().resolve("replies-base/v0001")).toList()) {
            Files.copy(f, v2.resolve(f.getFileName()));
        }
        Path manifest = v2.resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"v0001\"", "\"v0002\""));
        INFERENCE.start();
        registry.add("prefloop.trainer.inference.url", () -> "http://localhost:" + INFERENCE.port());
    }

    @Autowired
    CampaignRecords records;

    /** Each test's campaigns stop with it, so that none proposes while the next test runs. */
    @AfterEach
    void stopCampaigns() {
        for (JsonNode c : api.get("/v1/campaigns", ADMIN).json()) {
            if (!c.get("state").asString().equals("stopped")) {
                api.post("/v1/campaigns/" + c.get("id").asString() + "/stop", ADMIN, "");
            }
        }
    }

    @AfterAll
    static void stop() {
        INFERENCE.stop();
    }

    private ApiClient feedback() {
        INFERENCE.feedback = FEEDBACK.api();
        return FEEDBACK.api();
    }

    private String project(String name) {
        return feedback().post("/v1/projects", ADMIN, "{\"name\":\"" + name + "\",\"modality\":\"text\"}").json()
                .get("id").asString();
    }

    private void promote(String version) {
        assertThat(api.post("/v1/models/replies-base/promote", ADMIN, "{\"version\":\"" + version + "\"}").status())
                .isEqualTo(200);
    }

    private JsonNode create(String body) {
        ApiClient.Response r = api.post("/v1/campaigns", ADMIN, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    @Test
    void keepsTheTargetDepthAndProposesFromEachNewCheckpointThenRetiresTheOldPairs() throws Exception {
        promote("v0001");
        INFERENCE.served = "replies-base/v0001";
        String project = project("depth");
        JsonNode campaign = create("""
                {"project":"%s","model":"replies-base","prompts":["q1","q2","q3"],"prompts_per_proposal":2,
                 "target_depth":4,"pairs_per_checkpoint":6,"proposal":{"pairs_per_prompt":1,"max_tokens":8},"seed":5}"""
                .formatted(project));
        String id = campaign.get("id").asString();
        assertThat(campaign.get("state").asString()).isEqualTo("active");
        assertThat(campaign.get("selection").get("mode").asString()).isEqualTo("fifo");

        // a newly served checkpoint: proposals until 6 pairs come from it, two prompts each, round robin
        JsonNode seen = await(id, c -> fromCheckpoint(c, "replies-base/v0001", "open") == 6);
        assertThat(seen.get("proposals_made").asInt()).isEqualTo(3);
        assertThat(INFERENCE.promptsFor(project)).containsExactly(List.of("q1", "q2"), List.of("q3", "q1"), List.of("q2", "q3"));
        assertThat(INFERENCE.requestsFor(project).get(0).get("max_tokens").asInt()).isEqualTo(8);
        assertThat(INFERENCE.requestsFor(project).get(0).get("seed").asLong()).as("seeded campaign: repeatable seeds")
                .isEqualTo((5L * 1_000_003L + 1_000L) & ((1L << 48) - 1));

        // labelers judge 3: 3 open < depth 4, so one more proposal (two pairs) from the same checkpoint
        String labeler = feedback().post("/v1/labelers", ADMIN, "{\"name\":\"l\"}").json().get("key").asString();
        TrainerTestSupport.judgeLeft(feedback(), project, labeler, 3);
        seen = await(id, c -> c.get("proposals_made").asInt() == 4 && c.get("open_pairs").asInt() == 5);
        JsonNode proposals = api.get("/v1/campaigns/" + id + "/proposals", ADMIN).json();
        assertThat(proposals.findValuesAsString("reason")).containsExactly("checkpoint", "checkpoint", "checkpoint", "depth");

        // one open pair is leased by a labeler: it stays when the others of v0001 are retired
        JsonNode leased = feedback().get("/v1/projects/" + project + "/tasks/next", labeler).json();
        promote("v0002");
        INFERENCE.served = "replies-base/v0002";
        seen = await(id, c -> fromCheckpoint(c, "replies-base/v0002", "open") == 6
                && fromCheckpoint(c, "replies-base/v0001", "retired") == 4);
        assertThat(fromCheckpoint(seen, "replies-base/v0001", "open")).as("the leased pair").isEqualTo(1);
        assertThat(fromCheckpoint(seen, "replies-base/v0001", "resolved")).isEqualTo(3);
        assertThat(leased.get("pair_id").isString()).isTrue();
        JsonNode depth = api.get("/v1/campaigns/" + id + "/depth", ADMIN).json();
        assertThat(depth.size()).isGreaterThan(2);
        assertThat(depth.findValuesAsString("checkpoint")).contains("replies-base/v0001", "replies-base/v0002");
    }

    @Test
    void aProposalLeftPendingIsSentAgainWithTheSameIdAndRegistersNothingTwice() throws Exception {
        promote("v0001");
        INFERENCE.served = "replies-base/v0001";
        String project = project("retry");
        INFERENCE.failNext = 1; // the proposal's pairs are registered, then the answer is lost
        JsonNode campaign = create("""
                {"project":"%s","model":"replies-base","prompts":["r1","r2"],"target_depth":2,
                 "proposal":{"pairs_per_prompt":1}}""".formatted(project));
        String id = campaign.get("id").asString();
        JsonNode seen = await(id, c -> c.get("proposals_made").asInt() >= 1 && c.get("open_pairs") != null
                && c.get("open_pairs").asInt() >= 2);
        List<JsonNode> sent = INFERENCE.requestsFor(project);
        assertThat(sent.get(0).get("proposal").asString()).isEqualTo(sent.get(1).get("proposal").asString());
        assertThat(seen.get("open_pairs").asInt()).as("the retry registered no second pair").isEqualTo(2);
        JsonNode proposals = api.get("/v1/campaigns/" + id + "/proposals", ADMIN).json();
        assertThat(proposals.get(0).get("status").asString()).isEqualTo("done");
        assertThat(proposals.get(0).get("pairs").asInt()).isEqualTo(2);
    }

    @Test
    void pausedCampaignsProposeNothingAndStoppedOnesStayStopped() throws Exception {
        promote("v0001");
        INFERENCE.served = "replies-base/v0001";
        String project = project("pause");
        JsonNode campaign = create("""
                {"project":"%s","model":"replies-base","prompts":["p1"],"target_depth":1,
                 "policy":{"method":"dpo","every_n":5,"gate":{"metric":"heldout_implicit_acc","min":0.5}}}"""
                .formatted(project));
        String id = campaign.get("id").asString();
        String policy = campaign.get("policy_id").asString();
        await(id, c -> c.get("proposals_made").asInt() == 1);
        assertThat(api.post("/v1/campaigns/" + id + "/pause", ADMIN, "").json().get("state").asString()).isEqualTo("paused");
        assertThat(api.get("/v1/policies/" + policy, ADMIN).json().get("active").asBoolean()).isFalse();
        String labeler = feedback().post("/v1/labelers", ADMIN, "{\"name\":\"p\"}").json().get("key").asString();
        TrainerTestSupport.judgeLeft(feedback(), project, labeler, 1);
        Thread.sleep(1500);
        assertThat(api.get("/v1/campaigns/" + id, ADMIN).json().get("proposals_made").asInt()).as("paused").isEqualTo(1);
        api.post("/v1/campaigns/" + id + "/resume", ADMIN, "");
        await(id, c -> c.get("proposals_made").asInt() == 2);
        assertThat(api.get("/v1/policies/" + policy, ADMIN).json().get("active").asBoolean()).isTrue();

        // prompts added while it runs join the walk
        JsonNode added = api.post("/v1/campaigns/" + id + "/prompts", ADMIN, "{\"prompts\":[\"p2\"]}").json();
        assertThat(added.get("prompts").size()).isEqualTo(2);
        assertThat(api.post("/v1/campaigns/" + id + "/prompts", ADMIN, "{\"prompts\":[\"p2\"]}").status()).isEqualTo(400);
        // or uploaded as a file, one per line
        ApiClient.Response file = api.send("POST", "/v1/campaigns/" + id + "/prompts?held_out=true", ADMIN, "text/plain",
                "p3\n\n  p4  \r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(file.status()).as(file.body()).isEqualTo(200);
        assertThat(file.json().get("held_out_prompts").toString()).isEqualTo("[\"p3\",\"p4\"]");
        assertThat(api.send("POST", "/v1/campaigns/" + id + "/prompts", ADMIN, "text/plain",
                "\n\n".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(400);

        assertThat(api.post("/v1/campaigns/" + id + "/stop", ADMIN, "").json().get("state").asString()).isEqualTo("stopped");
        ApiClient.Response resumed = api.post("/v1/campaigns/" + id + "/resume", ADMIN, "");
        assertThat(resumed.status()).isEqualTo(409);
        assertThat(resumed.contentType()).contains("application/problem+json");
        assertThat(api.get("/v1/policies/" + policy, ADMIN).json().get("active").asBoolean()).isFalse();
    }

    @Test
    void oneReplicaAtATimeTicksACampaign() {
        promote("v0001");
        String project = project("claim");
        UUID id = UUID.fromString(create("""
                {"project":"%s","model":"replies-base","prompts":["c1"],"target_depth":1}""".formatted(project))
                .get("id").asString());
        api.post("/v1/campaigns/" + id + "/pause", ADMIN, "");
        jdbc.sql("update campaigns set state = 'active', busy_until = null where id = ?").param(id).update();
        // two replicas ask for the same campaign: the claim lets exactly one through until it is released
        assertThat(records.claim(id, Duration.ofMinutes(1))).isTrue();
        assertThat(records.claim(id, Duration.ofMinutes(1))).isFalse();
        records.release(id);
        assertThat(records.claim(id, Duration.ofMinutes(1))).isTrue();
        // a claim left by a replica that died expires
        jdbc.sql("update campaigns set busy_until = now() - interval '1 second' where id = ?").param(id).update();
        assertThat(records.claim(id, Duration.ofMinutes(1))).isTrue();
        records.release(id);
    }

    @Test
    void eachServedCheckpointIsRenderedAndJudgedSideBySideAgainstTheOneBefore() throws Exception {
        promote("v0001");
        INFERENCE.served = "replies-base/v0001";
        String project = project("evaluation");
        JsonNode campaign = create("""
                {"project":"%s","model":"replies-base","prompts":["t1"],"held_out_prompts":["e1","e2"],
                 "target_depth":1,"evaluation":{"seeds":2},"seed":3,
                 "policy":{"method":"dpo","every_n":1000,"gate":{"metric":"heldout_implicit_acc","min":0.5}}}"""
                .formatted(project));
        String id = campaign.get("id").asString();
        assertThat(campaign.get("evaluation").get("prompts").toString()).isEqualTo("[\"e1\",\"e2\"]");
        assertThat(evaluations(id)).hasSize(0);
        awaitEvaluations(id, e -> e.size() == 1 && e.get(0).get("status").asString().equals("paired"));
        JsonNode first = evaluations(id).get(0);
        assertThat(first.get("checkpoint").asString()).isEqualTo("replies-base/v0001");
        assertThat(first.get("candidates").asInt()).isEqualTo(4);
        assertThat(first.get("pairs").asInt()).as("nothing to compare the first with").isZero();
        List<JsonNode> renders = INFERENCE.requestsFor(project).stream()
                .filter(r -> r.path("candidates_only").asBoolean()).toList();
        assertThat(renders.get(0).get("prompts").toString()).isEqualTo("[\"e1\",\"e2\"]");
        assertThat(renders.get(0).get("checkpoint").asString()).isEqualTo("v0001");
        // the training proposals never use the held-out prompts
        List<JsonNode> training = INFERENCE.requestsFor(project).stream()
                .filter(r -> !r.path("candidates_only").asBoolean()).toList();
        assertThat(training).isNotEmpty();
        training.forEach(r -> assertThat(r.get("prompts").toString()).isEqualTo("[\"t1\"]"));

        promote("v0002");
        INFERENCE.served = "replies-base/v0002";
        awaitEvaluations(id, e -> e.size() == 2 && e.get(1).get("status").asString().equals("paired"));
        JsonNode second = evaluations(id).get(1);
        assertThat(second.get("against").asString()).isEqualTo("replies-base/v0001");
        assertThat(second.get("pairs").asInt()).isEqualTo(4);
        long seedOf0 = renders.get(0).get("seed").asLong();
        assertThat(INFERENCE.requestsFor(project).stream().filter(r -> r.path("candidates_only").asBoolean())
                .map(r -> r.get("seed").asLong())).as("the same seeds for every checkpoint").containsOnly(seedOf0);

        // evaluation pairs come first; the labeler prefers the new checkpoint's sample 3 times of 4
        String labeler = feedback().post("/v1/labelers", ADMIN, "{\"name\":\"judge\"}").json().get("key").asString();
        for (int i = 0; i < 4; i++) {
            JsonNode task = feedback().get("/v1/projects/" + project + "/tasks/next", labeler).json();
            assertThat(task.get("left").get("text").asString() + task.get("right").get("text").asString())
                    .contains("v0002", "v0001");
            String choice = i < 3 ? "a" : "b";
            feedback().post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", labeler,
                    "{\"choice\":\"" + choice + "\"}");
        }
        JsonNode rated = evaluations(id).get(1);
        assertThat(rated.get("votes").asInt()).isEqualTo(4);
        assertThat(rated.get("wins").asInt()).isEqualTo(3);
        assertThat(rated.get("win_rate").asDouble()).isEqualTo(0.75);
        assertThat(rated.get("ci_low").asDouble()).isLessThan(0.75);
        assertThat(rated.get("ci_high").asDouble()).isGreaterThan(0.75);
        assertThat(rated.get("metric").asString()).isEqualTo("heldout_implicit_acc");
        // the policy's feed holds no evaluation votes
        assertThat(feedback().get("/v1/projects/" + project + "/comparisons", ADMIN).json().get("data")).isEmpty();
    }

    @Test
    void aHumanGatePromotesOnlyOnceLabelersPreferTheNewCheckpoint() throws Exception {
        promote("v0001");
        INFERENCE.served = "replies-base/v0001";
        String project = project("human gate");
        JsonNode campaign = create("""
                {"project":"%s","model":"replies-base","prompts":["h1","h2"],"held_out_prompts":["he"],
                 "target_depth":4,"evaluation":{"seeds":3},"seed":4,
                 "policy":{"method":"dpo","every_n":4,"hyperparameters":{"steps":2,"batch_size":2},
                           "gate":{"metric":"human_win_rate","min":0.6,"min_votes":3,"max_regression":1000}}}"""
                .formatted(project));
        String id = campaign.get("id").asString();
        String policy = campaign.get("policy_id").asString();
        assertThat(api.get("/v1/policies/" + policy, ADMIN).json().get("gate").get("min_votes").asInt()).isEqualTo(3);
        awaitEvaluations(id, e -> e.size() == 1 && e.get(0).get("status").asString().equals("paired"));
        await(id, c -> c.get("open_pairs") != null && c.get("open_pairs").asInt() >= 4);

        // four training judgments: the policy trains, and its checkpoint waits for votes
        String labeler = feedback().post("/v1/labelers", ADMIN, "{\"name\":\"gate\"}").json().get("key").asString();
        TrainerTestSupport.judgeLeft(feedback(), project, labeler, 4);
        JsonNode job = awaitJobOf(policy);
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("succeeded");
        String candidate = "replies-base/" + job.get("result").get("version").asString();
        JsonNode waiting = awaitPromotion(job.get("id").asString(), p -> p.get("pending").asBoolean());
        assertThat(waiting.get("promoted").asBoolean()).isFalse();
        assertThat(waiting.get("reason").asString()).contains("awaiting 3");
        assertThat(api.get("/v1/models/replies-base/current", ADMIN).json().get("version").asString()).isEqualTo("v0001");

        // its evaluation set, rendered from the unpromoted checkpoint and paired against the served one
        awaitEvaluations(id, e -> e.size() == 2 && e.get(1).get("status").asString().equals("paired"));
        JsonNode pending = evaluations(id).get(1);
        assertThat(pending.get("checkpoint").asString()).isEqualTo(candidate);
        assertThat(pending.get("against").asString()).isEqualTo("replies-base/v0001");
        assertThat(INFERENCE.requestsFor(project).stream().filter(r -> r.path("candidates_only").asBoolean())
                .map(r -> r.get("checkpoint").asString())).contains(job.get("result").get("version").asString());

        // two votes are not enough; the third decides: 3 of 3 for the new checkpoint ≥ 0.6
        for (int i = 0; i < 3; i++) {
            JsonNode task = feedback().get("/v1/projects/" + project + "/tasks/next", labeler).json();
            feedback().post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", labeler, "{\"choice\":\"a\"}");
            if (i == 1) {
                Thread.sleep(1000);
                assertThat(api.get("/v1/jobs/" + job.get("id").asString(), ADMIN).json().get("promotion").get("pending")
                        .asBoolean()).as("two votes of three").isTrue();
            }
        }
        JsonNode decided = awaitPromotion(job.get("id").asString(), p -> !p.get("pending").asBoolean());
        assertThat(decided.get("promoted").asBoolean()).as(decided.toString()).isTrue();
        assertThat(decided.get("value").asDouble()).isEqualTo(1.0);
        assertThat(decided.get("reason").asString()).contains("3 votes");
        assertThat(api.get("/v1/models/replies-base/current", ADMIN).json().get("version").asString())
                .isEqualTo(job.get("result").get("version").asString());
    }

    private JsonNode awaitJobOf(String policy) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            for (JsonNode job : api.get("/v1/jobs?limit=1000", ADMIN).json().get("data")) {
                if (policy.equals(job.get("policy_id").asString(""))
                        && List.of("succeeded", "failed", "cancelled").contains(job.get("status").asString())) {
                    return job;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the policy's job never finished");
    }

    private JsonNode awaitPromotion(String job, Predicate<JsonNode> condition) throws InterruptedException {
        return awaitJson("the promotion", () -> {
            JsonNode promotion = api.get("/v1/jobs/" + job, ADMIN).json().get("promotion");
            return promotion == null || promotion.isNull() ? null : promotion;
        }, condition, Duration.ofSeconds(60));
    }

    private JsonNode evaluations(String id) {
        return api.get("/v1/campaigns/" + id + "/evaluations", ADMIN).json();
    }

    private void awaitEvaluations(String id, Predicate<JsonNode> condition) throws InterruptedException {
        awaitJson("the evaluations", () -> evaluations(id), condition, Duration.ofSeconds(60));
    }

    static Stream<Arguments> badCampaigns() {
        String p = "\"project\":\"" + UUID.randomUUID() + "\",\"model\":\"replies-base\"";
        return Stream.of(
                Arguments.of("no prompts", "{" + p + ",\"prompts\":[],\"target_depth\":1}", "prompts"),
                Arguments.of("target depth 0", "{" + p + ",\"prompts\":[\"a\"],\"target_depth\":0}", "target_depth"),
                Arguments.of("no target depth", "{" + p + ",\"prompts\":[\"a\"]}", "target_depth"),
                Arguments.of("a prompt twice", "{" + p + ",\"prompts\":[\"a\",\"a\"],\"target_depth\":1}", "prompts[1]"),
                Arguments.of("a held-out prompt among the prompts", "{" + p + ",\"prompts\":[\"a\"],"
                        + "\"held_out_prompts\":[\"a\"],\"target_depth\":1}", "held_out_prompts[0]"),
                Arguments.of("unknown prompt order", "{" + p + ",\"prompts\":[\"a\"],\"target_depth\":1,"
                        + "\"prompt_order\":\"random\"}", "prompt_order"),
                Arguments.of("NaN cfg scale", "{" + p + ",\"prompts\":[\"a\"],\"target_depth\":1,"
                        + "\"proposal\":{\"cfg_scale\":\"NaN\"}}", "cfg_scale"),
                Arguments.of("pairs and candidates per prompt", "{" + p + ",\"prompts\":[\"a\"],\"target_depth\":1,"
                        + "\"proposal\":{\"pairs_per_prompt\":1,\"candidates_per_prompt\":3}}", "candidates_per_prompt"),
                Arguments.of("too many candidates per proposal", "{" + p + ",\"prompts\":[\"a\"],\"target_depth\":1,"
                        + "\"prompts_per_proposal\":64,\"proposal\":{\"candidates_per_prompt\":16}}", "prompts_per_proposal"),
                Arguments.of("uncertainty without a reward model", "{" + p + ",\"prompts\":[\"a\"],\"target_depth\":1,"
                        + "\"selection\":{\"mode\":\"uncertainty\"}}", "selection.reward_model"),
                Arguments.of("random share above 1", "{" + p + ",\"prompts\":[\"a\"],\"target_depth\":1,"
                        + "\"selection\":{\"mode\":\"uncertainty\",\"random_share\":1.5}}", "random_share"),
                Arguments.of("a model without a current checkpoint", "{\"project\":\"" + UUID.randomUUID()
                        + "\",\"model\":\"nothing\",\"prompts\":[\"a\"],\"target_depth\":1}", "model"),
                Arguments.of("a project the feedback-service does not have", "{" + p + ",\"prompts\":[\"a\"],"
                        + "\"target_depth\":1}", "project"),
                Arguments.of("a policy with a NaN learning rate", "{\"project\":\"%s\",\"model\":\"replies-base\",\"prompts\":[\"a\"],\"target_depth\":1,"
                        + "\"policy\":{\"method\":\"dpo\",\"every_n\":5,\"hyperparameters\":{\"learning_rate\":\"NaN\"},"
                        + "\"gate\":{\"metric\":\"m\",\"min\":0}}}", "learning_rate"),
                Arguments.of("an evaluation set larger than one rendering", "{" + p + ",\"prompts\":[\"a\"],"
                        + "\"target_depth\":1,\"evaluation\":{\"prompts\":[" + "\"x\",".repeat(20) + "\"y\"],\"seeds\":16}}",
                        "evaluation"),
                Arguments.of("a human gate without an evaluation set", "{\"project\":\"%s\",\"model\":\"replies-base\","
                        + "\"prompts\":[\"a\"],\"target_depth\":1,\"policy\":{\"method\":\"dpo\",\"every_n\":5,"
                        + "\"gate\":{\"metric\":\"human_win_rate\",\"min\":0.55}}}", "human_win_rate"),
                Arguments.of("min_votes on a gate that is not human", "{\"project\":\"%s\",\"model\":\"replies-base\","
                        + "\"prompts\":[\"a\"],\"target_depth\":1,\"evaluation\":{},\"policy\":{\"method\":\"dpo\","
                        + "\"every_n\":5,\"gate\":{\"metric\":\"heldout_implicit_acc\",\"min\":0.5,\"min_votes\":10}}}",
                        "gate.min_votes"),
                Arguments.of("a win rate above 1", "{\"project\":\"%s\",\"model\":\"replies-base\","
                        + "\"prompts\":[\"a\"],\"target_depth\":1,\"evaluation\":{},\"policy\":{\"method\":\"dpo\","
                        + "\"every_n\":5,\"gate\":{\"metric\":\"human_win_rate\",\"min\":55}}}", "gate.min"),
                Arguments.of("malformed JSON", "{\"project\":", "JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCampaigns")
    void badRequestsAreRefusedAndChangeNothing(String what, String body, String named) {
        promote("v0001");
        int before = api.get("/v1/campaigns", ADMIN).json().size();
        int policies = api.get("/v1/policies", ADMIN).json().size();
        ApiClient.Response r = api.post("/v1/campaigns", ADMIN, body.replace("%s", project("bad")));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.contentType()).contains("application/problem+json");
        assertThat(r.body()).contains(named);
        assertThat(api.get("/v1/campaigns", ADMIN).json().size()).isEqualTo(before);
        assertThat(api.get("/v1/policies", ADMIN).json().size()).isEqualTo(policies);
    }

    @Test
    void aPolicyOutsideACampaignCannotWaitForVotes() {
        promote("v0001");
        ApiClient.Response r = api.post("/v1/policies", ADMIN, """
                {"project":"%s","model":"replies-base","method":"dpo","every_n":5,
                 "gate":{"metric":"human_win_rate","min":0.55,"min_votes":50}}""".formatted(UUID.randomUUID()));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("gate.metric", "campaign");
    }

    @Test
    void onlyAdminsAndServicesSteerCampaigns() {
        String labeler = feedback().post("/v1/labelers", ADMIN, "{\"name\":\"nosy\"}").json().get("key").asString();
        assertThat(api.get("/v1/campaigns", labeler).status()).isIn(401, 403);
        assertThat(api.get("/v1/campaigns", null).status()).isEqualTo(401);
        assertThat(api.get("/v1/campaigns/" + UUID.randomUUID(), ADMIN).status()).isEqualTo(404);
        assertThat(api.post("/v1/campaigns/" + UUID.randomUUID() + "/pause", ADMIN, "").status()).isEqualTo(404);
    }

    private static int fromCheckpoint(JsonNode campaign, String checkpoint, String field) {
        for (JsonNode c : campaign.get("checkpoints")) {
            if (c.get("checkpoint").asString().equals(checkpoint)) {
                return c.get(field).asInt();
            }
        }
        return 0;
    }

    private JsonNode await(String id, Predicate<JsonNode> condition) throws InterruptedException {
        return awaitJson("the campaign", () -> api.get("/v1/campaigns/" + id, ADMIN).json(), condition, Duration.ofSeconds(60));
    }

    /** Reads until the condition holds (every 100 ms), or fails with what was read last. */
    private static JsonNode awaitJson(String what, java.util.function.Supplier<JsonNode> read,
            Predicate<JsonNode> condition, Duration limit) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            last = read.get();
            if (last != null && condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + " never got there: " + last);
    }

    /**
     * Stands in for the inference-service: says which checkpoint it serves, and answers proposals
     * by registering two text candidates and a pair per prompt (and per pair asked for) in the
     * feedback-service, under keys made from the proposal id as the real one does.
     */
    static final class InferenceStandIn {

        volatile String served;
        volatile ApiClient feedback;
        volatile int failNext;
        final List<JsonNode> requests = new CopyOnWriteArrayList<>();
        private HttpServer server;

        void start() throws IOException {
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            server.createContext("/v1/models", ex -> reply(ex, 200, Map.of("data", served == null ? List.of()
                    : List.of(Map.of("name", served.split("/")[0], "loaded", Map.of("checkpoint", served))))));
            server.createContext("/v1/projects/", this::propose);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        void stop() {
            if (server != null) {
                server.stop(0);
            }
        }

        List<List<String>> promptsFor(String project) {
            List<List<String>> all = new ArrayList<>();
            requestsFor(project).forEach(r -> {
                List<String> p = new ArrayList<>();
                r.get("prompts").forEach(x -> p.add(x.asString()));
                all.add(p);
            });
            return all;
        }

        List<JsonNode> requestsFor(String project) {
            return requests.stream().filter(r -> r.get("project").asString().equals(project)).toList();
        }

        private void propose(HttpExchange ex) throws IOException {
            String project = ex.getRequestURI().getPath().split("/")[3];
            tools.jackson.databind.node.ObjectNode request = (tools.jackson.databind.node.ObjectNode)
                    JSON.readTree(ex.getRequestBody().readAllBytes());
            request.put("project", project);
            requests.add(request);
            String proposal = request.get("proposal").asString();
            String checkpoint = served;
            int perPrompt = request.path("pairs_per_prompt").asInt(1);
            List<String> pairs = new ArrayList<>();
            List<Map<String, String>> candidates = new ArrayList<>();
            int c = 0;
            if (request.path("candidates_only").asBoolean()) {
                String version = request.get("checkpoint").asString();
                for (JsonNode prompt : request.get("prompts")) {
                    for (int k = 0; k < request.get("candidates_per_prompt").asInt(); k++, c++) {
                        String text = "sample " + k + " of " + version + " for " + prompt.asString();
                        candidates.add(Map.of("id", feedback.post("/v1/projects/" + project + "/candidates", SERVICE,
                                JSON.writeValueAsString(Map.of("prompt", prompt.asString(), "text", text,
                                        "checkpoint", "replies-base/" + version)),
                                Map.of("Idempotency-Key", proposal + "/c" + c)).json().get("id").asString()));
                    }
                }
                reply(ex, 201, Map.of("checkpoint", "replies-base/" + version, "pairs", List.of(),
                        "candidates", candidates));
                return;
            }
            for (JsonNode prompt : request.get("prompts")) {
                for (int k = 0; k < perPrompt; k++) {
                    String[] ids = new String[2];
                    for (int side = 0; side < 2; side++, c++) {
                        Map<String, Object> candidate = new LinkedHashMap<>();
                        candidate.put("prompt", prompt.asString());
                        candidate.put("text", "reply " + c + " to " + prompt.asString());
                        candidate.put("model", "replies-base");
                        candidate.put("checkpoint", checkpoint);
                        ids[side] = feedback.post("/v1/projects/" + project + "/candidates", SERVICE,
                                JSON.writeValueAsString(candidate), Map.of("Idempotency-Key", proposal + "/c" + c))
                                .json().get("id").asString();
                    }
                    pairs.add(feedback.post("/v1/projects/" + project + "/pairs", SERVICE, JSON.writeValueAsString(
                            Map.of("candidate_a", ids[0], "candidate_b", ids[1])), Map.of("Idempotency-Key",
                            proposal + "/p" + (c - 2))).json().get("id").asString());
                }
            }
            if (failNext > 0) {
                failNext--;
                reply(ex, 502, Map.of("title", "lost", "detail", "the answer was lost"));
                return;
            }
            reply(ex, 201, Map.of("checkpoint", checkpoint, "pairs", pairs, "candidates", List.of()));
        }

        private static void reply(HttpExchange ex, int status, Object body) throws IOException {
            byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        }
    }
}
