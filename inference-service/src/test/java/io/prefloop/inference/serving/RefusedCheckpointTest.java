package io.prefloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.prefloop.common.test.ApiClient;
import io.prefloop.inference.support.InferenceTest;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.shapes.ShapesModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Checkpoints that must not be served are refused, visibly, while the old one keeps serving. */
class RefusedCheckpointTest extends InferenceTest {

    @Test
    void damagedWeightsAndNanWeightsAreRefusedAndTheOldCheckpointServes() throws Exception {
        awaitServed("corrupt-unet", "v0001");

        // v0002 was registered with a good hash; now one byte of its weights flips on the volume
        Path weights = platform().store.directory(new CheckpointId("corrupt-unet", "v0002")).resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[bytes.length - 5] ^= 0x40;
        Files.write(weights, bytes);
        platform().promote("corrupt-unet", "v0002");
        JsonNode entry = awaitRefused("corrupt-unet", "v0002");
        assertThat(entry.get("current").asString()).isEqualTo("v0002");
        assertThat(entry.get("loaded").get("version").asString()).isEqualTo("v0001");
        assertThat(refusal(entry, "v0002")).contains("CheckpointIntegrityException");
        assertServes("corrupt-unet/v0001");

        // v0003's hash is right but its weights are NaN: the warm-up pass catches it
        try (NDManager m = NDManager.newBaseManager()) {
            UNet net = ShapesModel.load(platform().store, ShapesModel.BASE, m);
            NDList nan = new NDList();
            for (NDArray w : BlockWeights.of(net)) {
                NDArray a = w.mul(Float.NaN);
                a.setName(w.getName());
                nan.add(a);
            }
            platform().store.publish(Manifest.of(new CheckpointId("corrupt-unet", "v0003"), net.spec().toMap(), "copy"), nan);
        }
        platform().promote("corrupt-unet", "v0003");
        entry = awaitRefused("corrupt-unet", "v0003");
        assertThat(refusal(entry, "v0003")).contains("non-finite");
        assertThat(entry.get("loaded").get("version").asString()).isEqualTo("v0001");
        assertServes("corrupt-unet/v0001");
    }

    private void assertServes(String checkpoint) {
        ApiClient.Response r = api().post("/v1/images/generations", SERVICE,
                "{\"model\":\"corrupt-unet\",\"prompt\":\"a red circle\",\"steps\":4,\"seed\":1}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("data").get(0).get("checkpoint").asString()).isEqualTo(checkpoint);
    }

    private JsonNode awaitRefused(String model, String version) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            JsonNode entry = entry(model);
            if (entry.get("refused").findValuesAsString("version").contains(version)) {
                return entry;
            }
            sleep(100);
        }
        throw new AssertionError(model + "/" + version + " was not refused: " + entry(model));
    }

    private static String refusal(JsonNode entry, String version) {
        for (JsonNode r : entry.get("refused")) {
            if (r.get("version").asString().equals(version)) {
                return r.get("reason").asString();
            }
        }
        return "";
    }
}
