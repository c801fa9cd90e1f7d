package io.prefloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.prefloop.common.test.ApiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The registry over a real checkpoint store holding the committed replies base model, and a
 * damaged copy of it that must never be registered.
 */
@TestPropertySource(properties = {
        "prefloop.auth.admin-key=" + RegistryTest.ADMIN, "prefloop.auth.service-key=svc",
        "prefloop.trainer.workers.count=0"})
class RegistryTest extends TrainerIntegrationTest {

    static final String ADMIN = "registry-admin";
    private static final Path STORE = storeWithBaseAndADamagedCopy();

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        registry.add("prefloop.checkpoints.root", STORE::toString);
    }

    @Test
    void theStoresCheckpointsAreRegisteredWithLineageAndADamagedOneIsNot() {
        JsonNode models = api.get("/v1/models", "svc").json();
        assertThat(models.findValuesAsString("name")).contains("replies-base");
        JsonNode checkpoints = api.get("/v1/models/replies-base/checkpoints", ADMIN).json();
        assertThat(checkpoints.findValuesAsString("version")).containsExactly("v0001");
        JsonNode base = checkpoints.get(0);
        assertThat(base.get("method").asString()).isEqualTo("pretrain");
        assertThat(base.get("architecture").get("type").asString()).isEqualTo("causal_transformer");
        assertThat(base.get("weights_sha256").asString()).hasSize(64);
        assertThat(jdbc.sql("select count(*) from checkpoints where version = 'v0002'").query(Integer.class).single())
                .as("the damaged copy").isZero();
    }

    @Test
    void promotionMakesACheckpointCurrentAndIsRecorded() {
        assertThat(api.post("/v1/models/replies-base/promote", "svc", "{\"version\":\"v0001\"}").status())
                .as("services may not promote by hand").isEqualTo(403);
        assertThat(api.post("/v1/models/replies-base/promote", ADMIN, "{\"version\":\"v0009\"}").status()).isEqualTo(404);
        assertThat(api.post("/v1/models/nope/promote", ADMIN, "{\"version\":\"v0001\"}").status()).isEqualTo(404);
        assertThat(api.post("/v1/models/replies-base/promote", ADMIN, "{}").status()).isEqualTo(400);

        ApiClient.Response promoted = api.post("/v1/models/replies-base/promote", ADMIN,
                "{\"version\":\"v0001\",\"reason\":\"the base serves first\"}");
        assertThat(promoted.status()).as(promoted.body()).isEqualTo(200);
        assertThat(promoted.json().get("current").asBoolean()).isTrue();
        JsonNode current = api.get("/v1/models/replies-base/current", "svc").json();
        assertThat(current.get("version").asString()).isEqualTo("v0001");
        assertThat(jdbc.sql("select reason from promotions where model = 'replies-base'").query(String.class).list())
                .containsExactly("the base serves first");
    }

    private static Path storeWithBaseAndADamagedCopy() {
        try {
            Path store = Files.createTempDirectory("prefloop-store-");
            Path base = Path.of("..", "shared-model", "checkpoints", "replies-base", "v0001");
            Path good = Files.createDirectories(store.resolve("replies-base/v0001"));
            Path bad = Files.createDirectories(store.resolve("replies-base/v0002"));
            for (Path file : Files.list(base).toList()) {
                Files.copy(file, good.resolve(file.getFileName()));
            }
            byte[] weights = Files.readAllBytes(base.resolve("model.safetensors"));
            weights[weights.length - 1] ^= 1;
            Files.write(bad.resolve("model.safetensors"), weights);
            Files.writeString(bad.resolve("manifest.json"), Files.readString(base.resolve("manifest.json"))
                    .replace("\"v0001\"", "\"v0002\""));
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
