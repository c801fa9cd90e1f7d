package io.prefloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/** The job API: create with validated hyperparameters, read, list, events, cancel. */
@TestPropertySource(properties = {"prefloop.auth.admin-key=" + JobApiTest.ADMIN, "prefloop.auth.service-key=svc",
                "prefloop.trainer.workers.count=0"})
class JobApiTest extends TrainerIntegrationTest {

    static final String ADMIN = "trainer-admin";
    private static final String PROJECT = "7a1c2f43-56a2-4c9e-9a77-0d5b8a1f0c11";

    /** A store with the committed replies base, registered on start; the first test promotes it. */
    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws IOException {
        Path store = TrainerTestSupport.tempDir("prefloop-job-api-");
        TrainerTestSupport.copyCommitted("replies-base", "v0001", store, "replies-base");
        registry.add("prefloop.checkpoints.root", store::toString);
    }

    @Test
    void aJobIsQueuedWithItsHyperparametersResolvedAndCanBeCancelled() {
        assertThat(api.post("/v1/models/replies-base/promote", ADMIN, "{\"version\":\"v0001\"}").status()).isEqualTo(200);
        ApiClient.Response created = api.post("/v1/jobs", ADMIN, """
                {"method":"dpo","model":"replies-base","project":"%s","hyperparameters":{"beta":0.25},"seed":7}"""
                .formatted(PROJECT));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode job = created.json();
        assertThat(job.get("status").asString()).isEqualTo("queued");
        assertThat(job.get("method").asString()).isEqualTo("dpo");
        assertThat(job.get("hyperparameters").get("beta").asDouble()).isEqualTo(0.25);
        assertThat(job.get("hyperparameters").get("learning_rate").asDouble()).as("dpo's default").isEqualTo(3e-5);
        assertThat(job.get("hyperparameters").get("loss_type").asString()).isEqualTo("sigmoid");
        assertThat(job.get("hyperparameters").get("max_grad_norm").asDouble()).isEqualTo(1.0);
        assertThat(job.get("hyperparameters").get("warmup_steps").asInt()).isZero();
        assertThat(job.get("hyperparameters").get("divergence_ratio").asDouble()).isEqualTo(3.0);
        assertThat(job.get("hyperparameters").get("divergence_patience").asInt()).isEqualTo(5);
        assertThat(job.get("progress").get("steps_total").asInt()).as("dpo's default").isEqualTo(40);
        assertThat(job.get("result").isNull()).as("nothing published yet").isTrue();
        assertThat(job.get("promotion").isNull()).as("no policy, no gate").isTrue();
        String id = job.get("id").asString();

        assertThat(api.get("/v1/jobs/" + id, "svc").json().get("seed").asLong()).isEqualTo(7);
        JsonNode listed = api.get("/v1/jobs?status=queued&model=replies-base", ADMIN).json();
        assertThat(listed.get("data").findValuesAsString("id")).contains(id);

        JsonNode cancelled = api.post("/v1/jobs/" + id + "/cancel", ADMIN, "").json();
        assertThat(cancelled.get("status").asString()).isEqualTo("cancelled");
        assertThat(api.post("/v1/jobs/" + id + "/cancel", ADMIN, "").status()).isEqualTo(409);
        JsonNode events = api.get("/v1/jobs/" + id + "/events", ADMIN).json().get("data");
        assertThat(events).hasSize(2);
        assertThat(events.get(1).get("message").asString()).contains("cancelled");
    }

    static Stream<Arguments> badJobs() {
        String project = "\"project\":\"" + PROJECT + "\"";
        return Stream.of(
                Arguments.of("unknown method", "{\"method\":\"ppo2\",\"model\":\"m\"," + project + "}", "method"),
                Arguments.of("NaN learning rate", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"learning_rate\":\"NaN\"}}", "hyperparameters.learning_rate"),
                Arguments.of("negative learning rate", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"learning_rate\":-0.001}}", "hyperparameters.learning_rate"),
                Arguments.of("huge learning rate", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"learning_rate\":1e308}}", "hyperparameters.learning_rate"),
                Arguments.of("beta 0", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"beta\":0}}", "hyperparameters.beta"),
                Arguments.of("missing project", "{\"method\":\"diffusion_dpo\",\"model\":\"m\"}", "project"),
                Arguments.of("unknown hyperparameter", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"betta\":0.1}}", "hyperparameters.betta"),
                Arguments.of("fractional batch size", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"batch_size\":2.5}}", "hyperparameters.batch_size"),
                Arguments.of("unknown loss type", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"loss_type\":\"kto\"}}", "hyperparameters.loss_type"),
                Arguments.of("bad model name", "{\"method\":\"pretrain\",\"model\":\"Bad Name!\"}", "model"),
                Arguments.of("negative seed", "{\"method\":\"pretrain\",\"model\":\"m\",\"seed\":-1}", "seed"),
                Arguments.of("project that is not a UUID", "{\"method\":\"dpo\",\"model\":\"m\",\"project\":\"p1\"}",
                        "project"),
                Arguments.of("malformed JSON", "{\"method\":", "JSON"),
                Arguments.of("held-out fraction above one half", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"heldout_fraction\":0.9}}", "hyperparameters.heldout_fraction"),
                Arguments.of("negative SFT weight", "{\"method\":\"diffusion_dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"sft_weight\":-1}}", "hyperparameters.sft_weight"),
                Arguments.of("NaN max_grad_norm", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"max_grad_norm\":\"NaN\"}}", "hyperparameters.max_grad_norm"),
                Arguments.of("negative max_grad_norm", "{\"method\":\"diffusion_dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"max_grad_norm\":-1}}", "hyperparameters.max_grad_norm"),
                Arguments.of("negative warmup_steps", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"warmup_steps\":-3}}", "hyperparameters.warmup_steps"),
                Arguments.of("fractional warmup_steps", "{\"method\":\"pretrain\",\"model\":\"m\","
                        + "\"hyperparameters\":{\"warmup_steps\":2.5}}", "hyperparameters.warmup_steps"),
                Arguments.of("NaN divergence_ratio", "{\"method\":\"dco\",\"model\":\"m\","
                        + "\"references\":[{\"candidate\":\"" + PROJECT + "\"}],"
                        + "\"hyperparameters\":{\"divergence_ratio\":\"NaN\"}}", "hyperparameters.divergence_ratio"),
                Arguments.of("negative divergence_ratio", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"divergence_ratio\":-2}}", "hyperparameters.divergence_ratio"),
                Arguments.of("divergence_ratio that trips on healthy training", "{\"method\":\"dpo\",\"model\":\"m\","
                        + project + ",\"hyperparameters\":{\"divergence_ratio\":0.5}}", "hyperparameters.divergence_ratio"),
                Arguments.of("label_smoothing at the bound the loss refuses", "{\"method\":\"dpo\",\"model\":\"m\","
                        + project + ",\"hyperparameters\":{\"label_smoothing\":0.5}}", "hyperparameters.label_smoothing"),
                Arguments.of("label_smoothing with a loss that has none", "{\"method\":\"dpo\",\"model\":\"m\","
                        + project + ",\"hyperparameters\":{\"label_smoothing\":0.1,\"loss_type\":\"hinge\"}}",
                        "hyperparameters.label_smoothing"),
                Arguments.of("divergence_patience 0", "{\"method\":\"reward_model\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"divergence_patience\":0}}", "hyperparameters.divergence_patience"),
                Arguments.of("huge divergence_patience", "{\"method\":\"d3po\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"divergence_patience\":1e9}}", "hyperparameters.divergence_patience"),
                Arguments.of("dco without reference images", "{\"method\":\"dco\",\"model\":\"m\"}", "references"),
                Arguments.of("dco reference that is not base64", "{\"method\":\"dco\",\"model\":\"m\","
                        + "\"references\":[{\"prompt\":\"a red ring\",\"image_base64\":\"%%%\"}]}",
                        "references[0].image_base64"),
                Arguments.of("dco reference that is not a PNG", "{\"method\":\"dco\",\"model\":\"m\","
                        + "\"references\":[{\"prompt\":\"a red ring\",\"image_base64\":\"aGVsbG8=\"}]}",
                        "not a PNG"),
                Arguments.of("dco upload without a prompt", "{\"method\":\"dco\",\"model\":\"m\","
                        + "\"references\":[{\"image_base64\":\"iVBORw0KGgo=\"}]}", "references[0].prompt"),
                Arguments.of("dco reference with both a candidate and an upload", "{\"method\":\"dco\",\"model\":\"m\","
                        + "\"references\":[{\"candidate\":\"" + PROJECT + "\",\"prompt\":\"x\",\"image_base64\":\"iVBORw0KGgo=\"}]}",
                        "either candidate or image_base64"),
                Arguments.of("a model without a current checkpoint to fine-tune", "{\"method\":\"sft\",\"model\":\"nothing-here\","
                        + project + "}", "no current checkpoint"),
                Arguments.of("a reward model started from a checkpoint that does not exist", "{\"method\":\"reward_model\","
                        + "\"model\":\"m\"," + project + ",\"hyperparameters\":{\"init_from\":\"replies-base/v0099\"}}",
                        "hyperparameters.init_from"),
                Arguments.of("a reward model started from something that is not a checkpoint reference",
                        "{\"method\":\"reward_model\",\"model\":\"m\"," + project
                        + ",\"hyperparameters\":{\"init_from\":\"not a name\"}}", "hyperparameters.init_from"),
                Arguments.of("references for a method that takes none", "{\"method\":\"dpo\",\"model\":\"m\"," + project
                        + ",\"references\":[{\"candidate\":\"" + PROJECT + "\"}]}", "only dco"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJobs")
    void aBadJobRequestIs400AndCreatesNothing(String name, String body, String mentions) {
        int before = jdbc.sql("select count(*) from jobs").query(Integer.class).single();
        ApiClient.Response response = api.post("/v1/jobs", ADMIN, body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body()).contains(mentions);
        assertThat(jdbc.sql("select count(*) from jobs").query(Integer.class).single()).isEqualTo(before);
    }

    @Test
    void badPoliciesAreRefusedAndCreateNothing() {
        String ok = "\"project\":\"" + PROJECT + "\",\"model\":\"m\",\"gate\":{\"metric\":\"loss\",\"min\":0}";
        assertThat(api.post("/v1/policies", ADMIN, "{" + ok + ",\"method\":\"dpo\",\"every_n\":0}").status())
                .isEqualTo(400);
        assertThat(api.post("/v1/policies", ADMIN, "{" + ok + ",\"method\":\"pretrain\",\"every_n\":5}").body())
                .contains("does not learn from comparisons");
        assertThat(api.post("/v1/policies", ADMIN, "{" + ok + ",\"method\":\"dpo\",\"every_n\":5,"
                + "\"hyperparameters\":{\"beta\":-1}}").body()).contains("hyperparameters.beta");
        assertThat(api.post("/v1/policies", ADMIN, "{\"project\":\"" + PROJECT + "\",\"model\":\"m\",\"method\":\"dpo\","
                + "\"every_n\":5,\"gate\":{\"metric\":\"loss\",\"min\":0,\"max_regression\":-0.5}}").body())
                .contains("gate.max_regression");
        assertThat(api.post("/v1/policies", ADMIN, "{" + ok + ",\"method\":\"dpo\",\"every_n\":5,\"seed\":-1}").body())
                .contains("seed");
        assertThat(api.post("/v1/policies", ADMIN, "{" + ok + ",\"method\":\"dpo\",\"every_n\":5}").status())
                .as("a model without a current checkpoint").isEqualTo(404);
        assertThat(jdbc.sql("select count(*) from policies").query(Integer.class).single()).isZero();
    }

    @Test
    void unknownJobsAre404AndLabelersMayNotTrain() {
        assertThat(api.get("/v1/jobs/00000000-0000-0000-0000-000000000001", ADMIN).status()).isEqualTo(404);
        assertThat(api.get("/v1/jobs", null).status()).isEqualTo(401);
    }
}
