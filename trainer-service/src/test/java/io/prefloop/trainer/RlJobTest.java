package io.prefloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * PPO and RLOO jobs end to end over real HTTP: a labeler judges text pairs in the real
 * feedback-service; a reward_model job trains a text reward model on them; PPO and RLOO jobs tune
 * copies of the committed replies base against that checkpoint on the project's prompts and publish
 * once, with the reward model in the lineage. Jobs naming no usable reward model are refused.
 */
@TestPropertySource(properties = {
        "prefloop.auth.admin-key=" + RlJobTest.ADMIN, "prefloop.auth.service-key=" + RlJobTest.SERVICE,
        "prefloop.trainer.workers.count=1", "prefloop.trainer.workers.poll=200ms",
        "prefloop.trainer.policies.poll=300ms"})
class RlJobTest extends TrainerIntegrationTest {

    static final String ADMIN = "rl-admin";
    static final String SERVICE = "rl-service";

    @RegisterExtension
    static final FeedbackForTrainer FEEDBACK = new FeedbackForTrainer("prefloop-rl-job-", ADMIN, SERVICE);

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) throws IOException {
        TrainerTestSupport.copyCommitted("replies-base", "v0001", FEEDBACK.store(), "replies-ppo");
        TrainerTestSupport.copyCommitted("replies-base", "v0001", FEEDBACK.store(), "replies-rloo");
        TrainerTestSupport.copyCommitted("replies-base", "v0001", FEEDBACK.store(), "replies-ppo-policy");
        FEEDBACK.wire(registry);
    }

    @Test
    void ppoAndRlooJobsTuneAgainstARewardModelJobsCheckpointAndPublishOnce() {
        ApiClient labeling = FEEDBACK.api();
        String project = TrainerTestSupport.textProject(labeling, ADMIN, SERVICE, "rl", 6, i -> "Question " + i + "?",
                i -> List.of("Certainly. The answer is " + i + ".", "dunno lol"));
        TrainerTestSupport.judgeLeft(labeling, project, labeling.post("/v1/labelers", ADMIN, "{\"name\":\"rl ann\"}")
                .json().get("key").asString(), 6);
        ApiClient trainer = new ApiClient("http://localhost:" + port);
        String rm = trainer.post("/v1/jobs", SERVICE, """
                {"method":"reward_model","model":"replies-rl-reward","project":"%s","seed":1,
                 "hyperparameters":{"steps":2,"batch_size":2,"heldout_fraction":0,"init_from":"replies-ppo/v0001"}}"""
                .formatted(project)).json().get("id").asString();
        JsonNode rewardJob = TrainerTestSupport.awaitJob(trainer, ADMIN, rm);
        assertThat(rewardJob.get("status").asString()).as(rewardJob.toString()).isEqualTo("succeeded");
        assertThat(trainer.get("/v1/jobs/" + rm + "/events", ADMIN).json().get("data").findValuesAsString("message"))
                .as("InstructGPT's start: the language model's transformer")
                .anyMatch(m -> m.contains("from the transformer of replies-ppo/v0001"));
        assertThat(trainer.post("/v1/models/replies-ppo/promote", ADMIN, "{\"version\":\"v0001\"}").status()).isEqualTo(200);
        assertThat(trainer.post("/v1/models/replies-rloo/promote", ADMIN, "{\"version\":\"v0001\"}").status()).isEqualTo(200);

        refused(trainer, project, "{}", "is required");
        refused(trainer, project, "{\"reward_model\":\"replies rl reward\"}", "must be \\\"name/version\\\"");
        refused(trainer, project, "{\"reward_model\":\"replies-rl-reward/v0009\"}", "no checkpoint replies-rl-reward/v0009");
        refused(trainer, project, "{\"reward_model\":\"no-such-reward\"}", "no reward model \\\"no-such-reward\\\"");
        refused(trainer, project, "{\"reward_model\":\"replies-ppo/v0001\"}", "is a causal_transformer, not a text_reward_model");
        refused(trainer, project, "{\"reward_model\":\"replies-rl-reward/v0001\",\"kl_coef\":-1}", "kl_coef");

        ApiClient.Response created = trainer.post("/v1/jobs", SERVICE, """
                {"method":"ppo","model":"replies-ppo","project":"%s","seed":3,
                 "hyperparameters":{"reward_model":"replies-rl-reward/v0001","steps":3,"batch_size":4,
                  "num_mini_batches":2,"response_length":12,"heldout_fraction":0,"kl_target":1}}""".formatted(project));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String ppo = created.json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, ppo);
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
        JsonNode events = trainer.get("/v1/jobs/" + ppo + "/events", ADMIN).json().get("data");
        assertThat(metrics(events)).hasSize(3).allSatisfy(m -> {
            for (String key : List.of("objective/kl", "objective/scores", "objective/rlhf_reward", "policy/clipfrac_avg",
                    "loss/policy_avg", "loss/value_avg", "val/clipfrac_avg", "policy/entropy_avg", "val/ratio", "ref_nll")) {
                assertThat(m.has(key)).as(key + " in " + m).isTrue();
            }
        });
        assertThat(events.findValuesAsString("message"))
                .anyMatch(m -> m.contains("Training on 6 prompts (0 held out)") && m.contains("against replies-rl-reward/v0001"));
        assertThat(events.findValuesAsString("type").stream().filter("publication"::equals)).hasSize(1);

        JsonNode checkpoints = trainer.get("/v1/models/replies-ppo/checkpoints", ADMIN).json();
        assertThat(checkpoints.findValuesAsString("version")).containsExactly("v0001", "v0002");
        JsonNode tuned = checkpoints.get(1);
        assertThat(tuned.get("method").asString()).isEqualTo("ppo");
        assertThat(tuned.get("parent").asString()).isEqualTo("replies-ppo/v0001");
        assertThat(tuned.get("reference").asString()).isEqualTo("replies-ppo/v0001");
        assertThat(tuned.get("architecture").get("type").asString()).as("the value head is not published")
                .isEqualTo("causal_transformer");
        assertThat(tuned.get("dataset").get("reward_model").asString()).isEqualTo("replies-rl-reward/v0001");
        assertThat(tuned.get("hyperparameters").get("kl_coef").asDouble()).isEqualTo(0.3);
        assertThat(tuned.get("metrics").get("quality_regression").asDouble()).isGreaterThanOrEqualTo(0.0);
        assertThat(tuned.get("metrics").get("quality_regression_on").asString()).isEqualTo("training");
        assertThat(tuned.get("metrics").has("objective/scores")).isTrue();
        assertThat(tuned.get("weights_sha256").asString()).isNotEqualTo(checkpoints.get(0).get("weights_sha256").asString());

        // a bare name means the reward model's current checkpoint
        assertThat(trainer.post("/v1/models/replies-rl-reward/promote", ADMIN, "{\"version\":\"v0001\"}").status())
                .isEqualTo(200);
        ApiClient.Response rloo = trainer.post("/v1/jobs", SERVICE, """
                {"method":"rloo","model":"replies-rloo","project":"%s","seed":4,
                 "hyperparameters":{"reward_model":"replies-rl-reward","steps":2,"batch_size":4,"rloo_k":2,
                  "response_length":12,"heldout_fraction":0}}""".formatted(project));
        assertThat(rloo.status()).as(rloo.body()).isEqualTo(201);
        JsonNode rlooDone = TrainerTestSupport.awaitJob(trainer, ADMIN, rloo.json().get("id").asString());
        assertThat(rlooDone.get("status").asString()).as(rlooDone.toString()).isEqualTo("succeeded");
        List<JsonNode> rlooMetrics = metrics(trainer.get("/v1/jobs/" + rloo.json().get("id").asString() + "/events", ADMIN)
                .json().get("data"));
        assertThat(rlooMetrics).hasSize(2).allSatisfy(m -> {
            assertThat(m.has("objective/kl")).isTrue();
            assertThat(m.has("loss/value_avg")).as("no value model").isFalse();
        });
        JsonNode rlooTuned = trainer.get("/v1/models/replies-rloo/checkpoints", ADMIN).json().get(1);
        assertThat(rlooTuned.get("method").asString()).isEqualTo("rloo");
        assertThat(rlooTuned.get("dataset").get("reward_model").asString()).isEqualTo("replies-rl-reward/v0001");
    }

    private static void refused(ApiClient trainer, String project, String hyperparameters, String expected) {
        ApiClient.Response response = trainer.post("/v1/jobs", SERVICE, """
                {"method":"ppo","model":"replies-ppo","project":"%s","hyperparameters":%s}"""
                .formatted(project, hyperparameters));
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("hyperparameters.").contains(expected);
    }

    private static List<JsonNode> metrics(JsonNode events) {
        List<JsonNode> out = new ArrayList<>();
        events.forEach(e -> {
            if (e.get("type").asString().equals("metrics")) {
                out.add(e.get("data"));
            }
        });
        return out;
    }

    /** An online policy runs PPO against the reward model's current checkpoint once its comparisons are in. */
    @Test
    void anOnlinePolicyRunsPpoAgainstTheCurrentRewardModelAndGatesIt() throws InterruptedException {
        ApiClient labeling = FEEDBACK.api();
        String project = TrainerTestSupport.textProject(labeling, ADMIN, SERVICE, "rl policy", 4, i -> "Policy " + i + "?",
                i -> List.of("Certainly. The answer is " + i + ".", "nope"));
        String labeler = labeling.post("/v1/labelers", ADMIN, "{\"name\":\"rl pat\"}").json().get("key").asString();
        TrainerTestSupport.judgeLeft(labeling, project, labeler, 2);
        ApiClient trainer = new ApiClient("http://localhost:" + port);
        JsonNode reward = TrainerTestSupport.awaitJob(trainer, ADMIN, trainer.post("/v1/jobs", SERVICE, """
                {"method":"reward_model","model":"replies-policy-reward","project":"%s","seed":1,
                 "hyperparameters":{"steps":2,"batch_size":2,"heldout_fraction":0,"init_from":"replies-ppo-policy/v0001"}}"""
                .formatted(project)).json().get("id").asString());
        assertThat(reward.get("status").asString()).as(reward.toString()).isEqualTo("succeeded");
        assertThat(trainer.post("/v1/models/replies-policy-reward/promote", ADMIN, "{\"version\":\"v0001\"}").status())
                .isEqualTo(200);
        assertThat(trainer.post("/v1/models/replies-ppo-policy/promote", ADMIN, "{\"version\":\"v0001\"}").status())
                .isEqualTo(200);
        assertThat(trainer.post("/v1/policies", ADMIN, """
                {"project":"%s","model":"replies-ppo-policy","method":"ppo","every_n":2,
                 "hyperparameters":{"reward_model":"no-such-reward","steps":2,"batch_size":4}}"""
                .formatted(project)).status()).as("a policy naming no reward model").isEqualTo(400);
        ApiClient.Response created = trainer.post("/v1/policies", ADMIN, """
                {"project":"%s","model":"replies-ppo-policy","method":"ppo","every_n":2,
                 "hyperparameters":{"reward_model":"replies-policy-reward","steps":2,"batch_size":4,"num_mini_batches":2,
                  "response_length":12,"heldout_fraction":0},
                 "gate":{"metric":"objective/scores","min":-1000,"max_regression":1000}}""".formatted(project));
        assertThat(created.status()).as(created.body()).isEqualTo(201);

        TrainerTestSupport.judgeLeft(labeling, project, labeler, 2);
        JsonNode job = null;
        for (int i = 0; i < 150 && job == null; i++) {
            for (JsonNode j : trainer.get("/v1/jobs?model=replies-ppo-policy", ADMIN).json().get("data")) {
                job = j;
            }
            Thread.sleep(200);
        }
        assertThat(job).as("the policy queued a ppo job").isNotNull();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job.get("id").asString());
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
        assertThat(finished.get("method").asString()).isEqualTo("ppo");
        assertThat(finished.get("promotion").get("promoted").asBoolean()).as(finished.toString()).isTrue();
        assertThat(trainer.get("/v1/models/replies-ppo-policy/current", ADMIN).json().get("version").asString())
                .isEqualTo("v0002");
        JsonNode checkpoint = trainer.get("/v1/models/replies-ppo-policy/checkpoints", ADMIN).json().get(1);
        assertThat(checkpoint.get("dataset").get("reward_model").asString()).isEqualTo("replies-policy-reward/v0001");
    }
}
