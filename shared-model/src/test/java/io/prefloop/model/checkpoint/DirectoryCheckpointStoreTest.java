package io.prefloop.model.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryCheckpointStoreTest {

    @TempDir
    Path root;

    private static NDList weights(NDManager m, float seed) {
        NDArray w = m.arange(6f).reshape(2, 3).mul(seed);
        w.setName("layer.weight");
        NDArray b = m.create(new float[] {seed, -seed});
        b.setName("layer.bias");
        return new NDList(w, b);
    }

    @Test
    void publishThenLoadGivesTheSameManifestAndTensors() {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(root);
        CheckpointId id = new CheckpointId("shapes-unet", "v0001");
        Manifest m0 = Manifest.of(id, Map.of("channels", List.of(32, 64), "image_size", 16), "pretrain")
                .withParent(new CheckpointId("shapes-unet", "base"))
                .withReference(new CheckpointId("shapes-unet", "base"))
                .withHyperparameters(Map.of("lr", 2e-3, "steps", 1100))
                .withDataset(Map.of("project", "p1", "comparisons_from", 0, "comparisons_to", 675))
                .withMetrics(Map.of("loss", 0.016));
        try (NDManager m = NDManager.newBaseManager()) {
            Manifest written = store.publish(m0, weights(m, 1.5f));
            assertThat(written.weightsSha256()).hasSize(64);
            assertThat(written.createdAt()).isNotNull();

            Checkpoint cp = store.load(id, m);
            assertThat(cp.manifest()).isEqualTo(written);
            assertThat(cp.manifest().architecture().get("channels")).isEqualTo(List.of(32, 64));
            NDArray w = cp.weights().stream().filter(a -> a.getName().equals("layer.weight")).findFirst().orElseThrow();
            assertThat(w.toFloatArray()).containsExactly(0f, 1.5f, 3f, 4.5f, 6f, 7.5f);
        }
        assertThat(store.models()).containsExactly("shapes-unet");
        assertThat(store.list("shapes-unet")).extracting(Manifest::version).containsExactly("v0001");
        assertThat(store.nextVersion("shapes-unet")).isEqualTo("v0002");
        assertThat(store.exists(id)).isTrue();
        assertThat(store.exists(new CheckpointId("shapes-unet", "v0002"))).isFalse();
    }

    @Test
    void manifestJsonIsSnakeCase() throws Exception {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(root);
        CheckpointId id = new CheckpointId("m", "v1");
        try (NDManager m = NDManager.newBaseManager()) {
            store.publish(Manifest.of(id, Map.of("d_model", 8), "dpo"), weights(m, 1f));
        }
        String json = Files.readString(store.directory(id).resolve("manifest.json"));
        assertThat(json).contains("\"weights_sha256\"", "\"created_at\"", "\"d_model\"");
    }

    @Test
    void refusesWeightsWhoseHashDiffers() throws Exception {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(root);
        CheckpointId id = new CheckpointId("m", "v1");
        try (NDManager m = NDManager.newBaseManager()) {
            store.publish(Manifest.of(id, Map.of(), "pretrain"), weights(m, 1f));
            Path file = store.directory(id).resolve("model.safetensors");
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 1] ^= 1; // flip one bit of the last float
            Files.write(file, bytes);
            assertThatThrownBy(() -> store.load(id, m)).isInstanceOf(CheckpointIntegrityException.class);
        }
    }

    @Test
    void neverOverwritesAPublishedVersion() {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(root);
        CheckpointId id = new CheckpointId("m", "v1");
        try (NDManager m = NDManager.newBaseManager()) {
            Manifest first = store.publish(Manifest.of(id, Map.of(), "pretrain"), weights(m, 1f));
            assertThatThrownBy(() -> store.publish(Manifest.of(id, Map.of(), "dpo"), weights(m, 2f)))
                    .isInstanceOf(CheckpointExistsException.class);
            Checkpoint cp = store.load(id, m);
            assertThat(cp.manifest()).isEqualTo(first);
        }
    }

    @Test
    void racingPublishersOfOneVersionLeaveExactlyOneCompleteCheckpoint() throws Exception {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(root);
        CheckpointId id = new CheckpointId("m", "v1");
        int n = 6;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < n; i++) {
                float seed = i + 1;
                NDList w = weights(m, seed);
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        store.publish(Manifest.of(id, Map.of("seed", seed), "pretrain"), w);
                        return true;
                    } catch (CheckpointExistsException e) {
                        return false;
                    }
                }));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> f : results) {
                winners += f.get() ? 1 : 0;
            }
            pool.shutdown();
            assertThat(winners).isEqualTo(1);
            Checkpoint cp = store.load(id, m); // hash of the winner's weights matches its manifest
            float seed = ((Number) cp.manifest().architecture().get("seed")).floatValue();
            NDArray b = cp.weights().stream().filter(a -> a.getName().equals("layer.bias")).findFirst().orElseThrow();
            assertThat(b.toFloatArray()).containsExactly(seed, -seed);
        }
        try (Stream<Path> s = Files.list(root.resolve("m"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("v1"); // no temp left
        }
    }

    @Test
    void publishIsAtomicAStaleTempDirectoryIsInvisible() throws Exception {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(root);
        // what a crash between writing and renaming leaves behind
        Path stale = Files.createDirectories(root.resolve("m").resolve(".tmp-crashed"));
        Files.write(stale.resolve("model.safetensors"), new byte[] {1, 2, 3});
        assertThat(store.list("m")).isEmpty();
        assertThat(store.models()).isEmpty();
        assertThat(store.nextVersion("m")).isEqualTo("v0001");
    }

    @Test
    void rejectsPathSyntaxInNames() {
        assertThatThrownBy(() -> new CheckpointId("../etc", "v1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CheckpointId("m", "a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CheckpointId.parse("m/v1")).isEqualTo(new CheckpointId("m", "v1"));
    }

    @Test
    void blockWeightsRoundTripThroughTheStore() {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(root);
        CheckpointId id = new CheckpointId("mlp", "v1");
        try (NDManager m = NDManager.newBaseManager()) {
            Block a = mlp();
            a.initialize(m, DataType.FLOAT32, new Shape(1, 4));
            store.publish(Manifest.of(id, Map.of("hidden", 5), "pretrain").withCreatedAt(Instant.EPOCH),
                    BlockWeights.of(a));
            Block b = mlp();
            b.initialize(m, DataType.FLOAT32, new Shape(1, 4));
            BlockWeights.load(b, store.load(id, m).weights());
            NDArray x = m.randomNormal(new Shape(3, 4));
            ParameterStore ps = new ParameterStore(m, false);
            assertThat(b.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray())
                    .containsExactly(a.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray());
        }
    }

    private static Block mlp() {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(5).build())
                .add(Linear.builder().setUnits(2).build());
    }
}
