package io.prefloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A DPO job end to end over real HTTP: a labeler judges text pairs in the real feedback-service
 * (started from its jar); the trainer reads the comparisons feed, trains the committed replies
 * base model with DJL, publishes a checkpoint with its lineage and registers it.
 */
@TestPropertySource(properties = {
        "prefloop.auth.admin-key=" + DpoJobTest.ADMIN, "prefloop.auth.service-key=" + DpoJobTest.SERVICE,
        "prefloop.trainer.workers.count=1", "prefloop.trainer.workers.poll=200ms",
        "prefloop.trainer.policies.poll=300ms"})
class DpoJobTest extends TrainerIntegrationTest {

    static final String ADMIN = "dpo-admin";
    static final String SERVICE = "dpo-service";

    @RegisterExtension
    static final FeedbackForTrainer FEEDBACK = new FeedbackForTrainer("prefloop-dpo-job-", ADMIN, SERVICE);

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) throws IOException {
        TrainerTestSupport.copyCommitted("replies-base", "v0001", FEEDBACK.store(), "replies-base");
        TrainerTestSupport.copyCommitted("replies-base", "v0001", FEEDBACK.store(), "replies-policy");
        TrainerTestSupport.copyCommitted("replies-base", "v0001", FEEDBACK.store(), "replies-refused");
        TrainerTestSupport.copyCommitted("replies-base", "v0001", FEEDBACK.store(), "replies-diverging");
        FEEDBACK.wire(registry);
    }

    @Test
    void aDpoJobTrainsOnTheFeedAndPublishesARegisteredCheckpointWithLineage() {
        ApiClient labeling = FEEDBACK.api();
        String project = TrainerTestSupport.textProject(labeling, ADMIN, SERVICE, "style", 6, i -> "Question " + i + "?",
                i -> List.of("Certainly. The answer is " + i + ".", "dunno lol"));
        String labeler = labeling.post("/v1/labelers", ADMIN, "{\"name\":\"ann\"}").json().get("key").asString();
        for (int i = 0; i < 6; i++) {
            JsonNode task = labeling.get("/v1/projects/" + project + "/tasks/next", labeler).json();
            String formal = task.get("left").get("text").asString().startsWith("Certainly")
                    ? task.get("left").get("choice").asString() : task.get("right").get("choice").asString();
            labeling.post("/v1/pairs/" + task.get("pair_id").asString() + "/judgments", labeler,
                    "{\"choice\":\"" + formal + "\"}");
        }

        ApiClient trainer = new ApiClient("http://localhost:" + port);
        assertThat(trainer.post("/v1/models/replies-base/promote", ADMIN, "{\"version\":\"v0001\"}").status())
                .isEqualTo(200);
        ApiClient.Response created = trainer.post("/v1/jobs", SERVICE, """
                {"method":"dpo","model":"replies-base","project":"%s","seed":3,
                 "hyperparameters":{"steps":4,"batch_size":4,"beta":0.5,"learning_rate":0.0001}}""".formatted(project));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String job = created.json().get("id").asString();

        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
        JsonNode events = trainer.get("/v1/jobs/" + job + "/events", ADMIN).json().get("data");
        long metrics = 0;
        for (JsonNode e : events) {
            if (e.get("type").asString().equals("metrics")) {
                metrics++;
                assertThat(e.get("data").has("rewards/accuracies")).isTrue();
            }
        }
        assertThat(metrics).isEqualTo(4);
        assertThat(events.findValuesAsString("message")).anyMatch(m -> m.contains("Training on 6 comparisons for training"));

        JsonNode checkpoints = trainer.get("/v1/models/replies-base/checkpoints", ADMIN).json();
        assertThat(checkpoints.findValuesAsString("version")).containsExactly("v0001", "v0002");
        // (the other test trains replies-policy, a copy of the base, so the two never share versions)
        JsonNode tuned = checkpoints.get(1);
        assertThat(tuned.get("method").asString()).isEqualTo("dpo");
        assertThat(tuned.get("parent").asString()).isEqualTo("replies-base/v0001");
        assertThat(tuned.get("reference").asString()).isEqualTo("replies-base/v0001");
        assertThat(tuned.get("job_id").asString()).isEqualTo(job);
        assertThat(tuned.get("dataset").get("project").asString()).isEqualTo(project);
        assertThat(tuned.get("dataset").get("feed_to").asLong()).isEqualTo(6);
        assertThat(tuned.get("metrics").has("loss")).isTrue();
        assertThat(tuned.get("weights_sha256").asString()).isNotEqualTo(checkpoints.get(0).get("weights_sha256").asString());
        assertThat(Files.exists(FEEDBACK.store().resolve("replies-base/v0002/model.safetensors"))).isTrue();

        assertThat(finished.get("result").get("model").asString()).isEqualTo("replies-base");
        assertThat(finished.get("result").get("version").asString()).isEqualTo("v0002");
        assertThat(finished.get("promotion").isNull()).as("a job without a policy is not gated").isTrue();
        JsonNode publication = only(events, "publication");
        assertThat(publication.get("data").get("model").asString()).isEqualTo("replies-base");
        assertThat(publication.get("data").get("version").asString()).isEqualTo("v0002");
        assertThat(publication.get("message").asString()).isEqualTo("Published replies-base/v0002");
    }

    /**
     * DPO at learning rate 1 without clipping: the policy's NLL of the chosen replies runs to 7–13 times
     * the reference's within five steps. The guard trips, goes back to the start and retries at 0.1
     * (on this machine that trips too, at 3–5×) and at 0.01, which trains on these four pairs without
     * passing 3× and may publish. Whatever the last attempt does, nothing diverged is published.
     */
    @Test
    void aDpoJobAtAFarTooHighLearningRateTripsTheGuardWhichRestartsItAtLowerRates() {
        ApiClient labeling = FEEDBACK.api();
        String project = TrainerTestSupport.textProject(labeling, ADMIN, SERVICE, "diverging", 4, i -> "D" + i + "?",
                i -> List.of("Certainly, " + i + ".", "nah"));
        TrainerTestSupport.judgeLeft(labeling, project, labeling.post("/v1/labelers", ADMIN, "{\"name\":\"div ann\"}")
                .json().get("key").asString(), 4);
        ApiClient trainer = new ApiClient("http://localhost:" + port);
        assertThat(trainer.post("/v1/models/replies-diverging/promote", ADMIN, "{\"version\":\"v0001\"}").status())
                .isEqualTo(200);
        String job = trainer.post("/v1/jobs", SERVICE, """
                {"method":"dpo","model":"replies-diverging","project":"%s","seed":4,
                 "hyperparameters":{"steps":40,"batch_size":4,"learning_rate":1,"max_grad_norm":0,"heldout_fraction":0}}"""
                .formatted(project)).json().get("id").asString();
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        JsonNode events = trainer.get("/v1/jobs/" + job + "/events?limit=1000", ADMIN).json().get("data");
        List<JsonNode> trips = new ArrayList<>();
        JsonNode lastStep = null;
        for (JsonNode e : events) {
            if (e.get("message").asString().startsWith("Divergence guard tripped")) {
                trips.add(e);
            }
            if (e.get("type").asString().equals("metrics")) {
                lastStep = e.get("data");
                assertThat(lastStep.has("grad_norm")).isTrue();
            }
        }
        assertThat(trips).as("at learning rate 1").isNotEmpty();
        JsonNode first = trips.get(0);
        assertThat(first.get("level").asString()).isEqualTo("warn");
        assertThat(first.get("message").asString()).contains("NLL of the chosen replies, policy / reference above 3")
                .contains("retrying at learning rate 0.1");
        assertThat(first.get("data").get("restored_step").asInt()).isZero();
        assertThat(first.get("data").get("step").asInt()).as("tripped early").isLessThan(15);

        List<String> versions = trainer.get("/v1/models/replies-diverging/checkpoints", ADMIN).json()
                .findValuesAsString("version");
        if (finished.get("status").asString().equals("failed")) {
            assertThat(finished.get("error").asString()).contains("Training diverged").contains("nothing is published");
            assertThat(versions).containsExactly("v0001");
        } else {
            assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
            assertThat(lastStep.get("learning_rate").asDouble()).as("finished at a lower rate").isLessThan(0.2);
            assertThat(versions).containsExactly("v0001", "v0002");
        }
    }

    @Test
    void aJobResumedAfterItsCheckpointWasPublishedRecordsTheSameResultWithoutTrainingAgain() {
        ApiClient labeling = FEEDBACK.api();
        String project = TrainerTestSupport.textProject(labeling, ADMIN, SERVICE, "resumed", 2, i -> "P" + i + "?",
                i -> List.of("Certainly, " + i + ".", "nah"));
        TrainerTestSupport.judgeLeft(labeling, project, labeling.post("/v1/labelers", ADMIN, "{\"name\":\"res ann\"}")
                .json().get("key").asString(), 2);
        ApiClient trainer = new ApiClient("http://localhost:" + port);
        String job = trainer.post("/v1/jobs", SERVICE, """
                {"method":"reward_model","model":"replies-resumed-reward","project":"%s","seed":2,
                 "hyperparameters":{"steps":1,"batch_size":2,"heldout_fraction":0}}""".formatted(project))
                .json().get("id").asString();
        JsonNode first = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(first.get("status").asString()).as(first.toString()).isEqualTo("succeeded");

        // as if its worker had died after publishing to the store, before registering and recording the result
        jdbc.sql("delete from checkpoints where job_id = ?").param(UUID.fromString(job)).update();
        jdbc.sql("""
                update jobs set status = 'running', finished_at = null, result_model = null, result_version = null,
                       lease_owner = 'a dead worker', lease_expires_at = now() - interval '1 second'
                where id = ?""").param(UUID.fromString(job)).update();
        JsonNode resumed = TrainerTestSupport.awaitJob(trainer, ADMIN, job);
        assertThat(resumed.get("status").asString()).as(resumed.toString()).isEqualTo("succeeded");
        assertThat(resumed.get("result")).isEqualTo(first.get("result"));
        assertThat(resumed.get("result").get("version").asString()).isEqualTo("v0001");
        assertThat(trainer.get("/v1/models/replies-resumed-reward/checkpoints", ADMIN).json().findValuesAsString("version"))
                .containsExactly("v0001");
        List<JsonNode> publications = new ArrayList<>();
        trainer.get("/v1/jobs/" + job + "/events", ADMIN).json().get("data").forEach(e -> {
            if (e.get("type").asString().equals("publication")) {
                publications.add(e);
            }
        });
        assertThat(publications).hasSize(2);
        assertThat(publications.get(1).get("data")).isEqualTo(publications.get(0).get("data"));
        assertThat(publications.get(1).get("message").asString()).contains("was published before the restart");
    }

    @Test
    void aPolicyFiresAfterNNewComparisonsTrainsOnExactlyThemAndPromotes() throws InterruptedException {
        ApiClient labeling = FEEDBACK.api();
        String project = TrainerTestSupport.textProject(labeling, ADMIN, SERVICE, "online", 8, i -> "Q" + i + "?",
                i -> List.of("Certainly, " + i + ".", "nah"));
        String labeler = labeling.post("/v1/labelers", ADMIN, "{\"name\":\"online ann\"}").json().get("key").asString();
        ApiClient trainer = new ApiClient("http://localhost:" + port);
        assertThat(trainer.post("/v1/models/replies-policy/promote", ADMIN, "{\"version\":\"v0001\"}").status())
                .isEqualTo(200);
        ApiClient.Response created = trainer.post("/v1/policies", ADMIN, """
                {"project":"%s","model":"replies-policy","method":"dpo","every_n":4,"seed":7,
                 "hyperparameters":{"steps":2,"batch_size":2},"gate":{"metric":"rewards/accuracies","min":0.0}}"""
                .formatted(project));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String policy = created.json().get("id").asString();
        assertThat(trainer.post("/v1/models/replies-refused/promote", ADMIN, "{\"version\":\"v0001\"}").status())
                .isEqualTo(200);
        ApiClient.Response unreachable = trainer.post("/v1/policies", ADMIN, """
                {"project":"%s","model":"replies-refused","method":"dpo","every_n":4,
                 "hyperparameters":{"steps":2,"batch_size":2},"gate":{"metric":"rewards/accuracies","min":2.0}}"""
                .formatted(project));
        assertThat(unreachable.status()).as(unreachable.body()).isEqualTo(201);

        TrainerTestSupport.judgeLeft(labeling, project, labeler, 3);
        Thread.sleep(1500);
        assertThat(trainer.get("/v1/jobs?model=replies-policy", ADMIN).json().get("data")).as("3 < 4").isEmpty();

        TrainerTestSupport.judgeLeft(labeling, project, labeler, 1);
        JsonNode job = awaitJobOf(trainer, "replies-policy");
        JsonNode finished = TrainerTestSupport.awaitJob(trainer, ADMIN, job.get("id").asString());
        assertThat(finished.get("status").asString()).as(finished.toString()).isEqualTo("succeeded");
        assertThat(finished.get("feed_after").asLong()).isZero();
        assertThat(finished.get("feed_to").asLong()).isEqualTo(4);
        assertThat(finished.get("policy_id").asString()).isEqualTo(policy);
        assertThat(trainer.get("/v1/models/replies-policy/current", ADMIN).json().get("version").asString())
                .isEqualTo("v0002");
        assertThat(trainer.get("/v1/policies/" + policy, ADMIN).json().get("trained_through").asLong()).isEqualTo(4);
        assertThat(finished.get("seed").asLong()).as("a seeded policy's job trains with a seed of its own, repeatable")
                .isEqualTo(io.prefloop.trainer.policy.Policies.jobSeed(7, 4));
        assertThat(finished.get("result").get("model").asString()).isEqualTo("replies-policy");
        assertThat(finished.get("result").get("version").asString()).isEqualTo("v0002");
        JsonNode promotion = finished.get("promotion");
        assertThat(promotion.get("promoted").asBoolean()).isTrue();
        assertThat(promotion.get("metric").asString()).isEqualTo("rewards/accuracies");
        assertThat(promotion.get("value").asDouble()).isBetween(0.0, 1.0);
        assertThat(promotion.get("min").asDouble()).isZero();
        assertThat(promotion.get("quality_regression").asDouble()).isGreaterThanOrEqualTo(0.0);
        assertThat(promotion.get("max_regression").asDouble()).isEqualTo(0.1);
        assertThat(promotion.get("reason").asString()).startsWith("rewards/accuracies = ").contains(" ≥ 0.0");
        JsonNode promotionEvent = only(trainer.get("/v1/jobs/" + finished.get("id").asString() + "/events", ADMIN)
                .json().get("data"), "promotion");
        assertThat(promotionEvent.get("data")).isEqualTo(promotion);
        assertThat(promotionEvent.get("message").asString()).startsWith("Promoted replies-policy/v0002 (");

        JsonNode refused = TrainerTestSupport.awaitJob(trainer, ADMIN, awaitJobOf(trainer, "replies-refused").get("id").asString());
        assertThat(refused.get("status").asString()).as(refused.toString()).isEqualTo("succeeded");
        assertThat(refused.get("result").get("version").asString()).isEqualTo("v0002");
        assertThat(refused.get("promotion").get("promoted").asBoolean()).isFalse();
        assertThat(refused.get("promotion").get("min").asDouble()).isEqualTo(2.0);
        assertThat(refused.get("promotion").get("reason").asString()).contains(" not ≥ 2.0");
        assertThat(trainer.get("/v1/models/replies-refused/current", ADMIN).json().get("version").asString())
                .as("a refused checkpoint is not promoted").isEqualTo("v0001");
        JsonNode refusal = only(trainer.get("/v1/jobs/" + refused.get("id").asString() + "/events", ADMIN).json()
                .get("data"), "promotion");
        assertThat(refusal.get("level").asString()).isEqualTo("warn");
        assertThat(refusal.get("data")).isEqualTo(refused.get("promotion"));

        TrainerTestSupport.judgeLeft(labeling, project, labeler, 3);
        Thread.sleep(1500);
        assertThat(trainer.get("/v1/jobs?model=replies-policy", ADMIN).json().get("data"))
                .as("3 new comparisons are not enough for a second job").hasSize(1);
    }

    @Test
    void aTextRewardModelAndAPretrainedRepliesModelArePublished() {
        ApiClient labeling = FEEDBACK.api();
        String project = TrainerTestSupport.textProject(labeling, ADMIN, SERVICE, "rm", 4, i -> "R" + i + "?",
                i -> List.of("Certainly, " + i + ".", "nah"));
        TrainerTestSupport.judgeLeft(labeling, project, labeling.post("/v1/labelers", ADMIN, "{\"name\":\"rm ann\"}").json().get("key")
                .asString(), 4);
        ApiClient trainer = new ApiClient("http://localhost:" + port);
        String rm = trainer.post("/v1/jobs", SERVICE, """
                {"method":"reward_model","model":"replies-reward","project":"%s","seed":1,
                 "hyperparameters":{"steps":2,"batch_size":2,"heldout_fraction":0,"margin":0.5}}""".formatted(project))
                .json().get("id").asString();
        String pretrain = trainer.post("/v1/jobs", SERVICE, """
                {"method":"pretrain","model":"replies-scratch","seed":1,
                 "hyperparameters":{"world":"replies","steps":2,"batch_size":4,"learning_rate":0.003}}""")
                .json().get("id").asString();
        assertThat(TrainerTestSupport.awaitJob(trainer, ADMIN, rm).get("status").asString()).isEqualTo("succeeded");
        assertThat(TrainerTestSupport.awaitJob(trainer, ADMIN, pretrain).get("status").asString()).isEqualTo("succeeded");
        JsonNode reward = trainer.get("/v1/models/replies-reward/checkpoints", ADMIN).json().get(0);
        assertThat(reward.get("architecture").get("type").asString()).isEqualTo("text_reward_model");
        assertThat(reward.get("metrics").get("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(reward.get("metrics").get("quality_regression_on").asString()).isEqualTo("training");
        JsonNode base = trainer.get("/v1/models/replies-scratch/checkpoints", ADMIN).json().get(0);
        assertThat(base.get("architecture").get("type").asString()).isEqualTo("causal_transformer");
        assertThat(base.get("metrics").get("loss").asDouble()).isPositive();
    }

    private static JsonNode only(JsonNode events, String type) {
        List<JsonNode> found = new ArrayList<>();
        events.forEach(e -> {
            if (e.get("type").asString().equals(type)) {
                found.add(e);
            }
        });
        assertThat(found).as(type + " events in " + events).hasSize(1);
        return found.get(0);
    }

    private static JsonNode awaitJobOf(ApiClient trainer, String model) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            JsonNode jobs = trainer.get("/v1/jobs?model=" + model, ADMIN).json().get("data");
            if (!jobs.isEmpty()) {
                return jobs.get(0);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the policy never queued a job");
    }
}
