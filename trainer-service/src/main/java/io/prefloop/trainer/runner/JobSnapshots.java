package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.common.io.Sha256;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Safetensors;
import io.prefloop.model.io.DurableFiles;
import io.prefloop.model.nn.OptimizerStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Intermediate checkpoints of running jobs: the trained block's weights and its optimizer's state
 * after a step, in {@code <store>/.jobs/<job>/step-NNNNNNN/} (a directory the checkpoint store's
 * readers never list). Written to a temporary directory, fsynced and renamed into place, so a
 * worker killed while saving leaves the previous snapshot intact; older snapshots are deleted once
 * a newer one is in place, and all of them when the job ends. The store is shared by every worker
 * (a ReadWriteMany volume in Kubernetes), so another worker can resume the job.
 */
@Component
public class JobSnapshots {

    private static final Logger log = LoggerFactory.getLogger(JobSnapshots.class);
    private static final String STATE = "state.safetensors";
    private static final String INFO = "snapshot.txt";
    private static final String EXTRA = "extra.";

    private final Path root;

    JobSnapshots(DirectoryCheckpointStore store) {
        this.root = store.root().resolve(".jobs");
    }

    /** What a snapshot restored: the step it was taken after, and how many divergence retries the run had made. */
    public record Restored(int step, int retries) {}

    /**
     * Saves the state after {@code step}.
     *
     * @param extras more blocks to keep with it (an EMA copy of the weights, say), by name
     * @param retries how many times the divergence guard has restarted the run at a lower learning rate
     */
    public void save(UUID job, int step, Block block, OptimizerStep optimizer, Map<String, Block> extras, int retries) {
        Path dir = root.resolve(job.toString());
        Path target = dir.resolve(name(step));
        try (NDManager m = NDManager.newBaseManager()) {
            NDList tensors = new NDList(BlockWeights.of(block));
            extras.forEach((name, extra) -> BlockWeights.of(extra).forEach(t -> {
                NDArray copy = t.duplicate();
                copy.attach(m);
                copy.setName(EXTRA + name + "/" + t.getName());
                tensors.add(copy);
            }));
            var state = optimizer.state(m);
            tensors.addAll(state.getKey());
            byte[] bytes = Safetensors.encode(tensors);
            int updates = state.getValue();
            Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
            Files.createDirectories(tmp);
            try {
                DurableFiles.writeNew(tmp.resolve(STATE), bytes);
                DurableFiles.writeNew(tmp.resolve(INFO), ("step=" + step + "\nupdates=" + updates
                        + "\nretries=" + retries + "\nsha256=" + Sha256.hex(bytes) + "\n").getBytes(StandardCharsets.UTF_8));
                DurableFiles.rename(tmp, target);
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            if (Files.exists(target)) {
                return; // another worker holding the job a moment ago saved the same step
            }
            throw new UncheckedIOException("Cannot save the intermediate checkpoint of job " + job + " at step " + step, e);
        }
        for (Path older : snapshots(job)) {
            if (!older.equals(target)) {
                deleteTree(older);
            }
        }
    }

    /**
     * Loads the newest intact snapshot into {@code block} and {@code optimizer}.
     *
     * @return the step it was taken after and the retries so far, or empty when the job has none (it
     *     starts from step 1)
     */
    public Optional<Restored> restore(UUID job, Block block, OptimizerStep optimizer, Map<String, Block> extras,
            NDManager manager) {
        List<Path> snapshots = snapshots(job);
        for (int i = snapshots.size() - 1; i >= 0; i--) {
            Path dir = snapshots.get(i);
            try {
                List<String> info = Files.readAllLines(dir.resolve(INFO));
                byte[] bytes = Files.readAllBytes(dir.resolve(STATE));
                if (!info.contains("sha256=" + Sha256.hex(bytes))) {
                    log.warn("Snapshot {} is damaged (hash differs); trying an older one", dir);
                    continue;
                }
                NDList weights = new NDList();
                NDList state = new NDList();
                Map<String, NDList> extraWeights = new HashMap<>();
                try (NDManager tmp = manager.newSubManager()) {
                    for (NDArray t : Safetensors.decode(tmp, bytes)) {
                        if (t.getName().startsWith("optimizer.")) {
                            state.add(t);
                        } else if (t.getName().startsWith(EXTRA)) {
                            String rest = t.getName().substring(EXTRA.length());
                            int slash = rest.indexOf('/');
                            t.setName(rest.substring(slash + 1));
                            extraWeights.computeIfAbsent(rest.substring(0, slash), k -> new NDList()).add(t);
                        } else {
                            weights.add(t);
                        }
                    }
                    BlockWeights.load(block, weights);
                    extras.forEach((name, extra) -> BlockWeights.load(extra,
                            Optional.ofNullable(extraWeights.get(name)).orElseThrow(() ->
                                    new IllegalStateException("the snapshot has no " + name))));
                    optimizer.restore(state, value(info, "updates"));
                }
                boolean hasRetries = info.stream().anyMatch(l -> l.startsWith("retries="));
                return Optional.of(new Restored(value(info, "step"), hasRetries ? value(info, "retries") : 0));
            } catch (IOException | RuntimeException e) {
                log.warn("Snapshot {} cannot be read ({}); trying an older one", dir, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Deletes a finished job's snapshots. */
    public void discard(UUID job) {
        deleteTree(root.resolve(job.toString()));
    }

    private List<Path> snapshots(UUID job) {
        Path dir = root.resolve(job.toString());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String name(int step) {
        return "step-%07d".formatted(step);
    }

    private static int value(List<String> info, String key) {
        return info.stream().filter(l -> l.startsWith(key + "=")).map(l -> Integer.parseInt(l.substring(key.length() + 1)))
                .findFirst().orElseThrow(() -> new IllegalStateException("snapshot info has no " + key));
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", dir, e.getMessage());
        }
    }
}
