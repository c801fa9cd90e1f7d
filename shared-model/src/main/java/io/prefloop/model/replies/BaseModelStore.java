package io.prefloop.model.replies;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.CheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.TransformerLm;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Gets the replies world's base model from a checkpoint store: the newest checkpoint pretrained
 * with the same configuration, or a fresh pretraining run published as the next version.
 */
public final class BaseModelStore {

    private BaseModelStore() {}

    public record Loaded(CheckpointId id, TransformerLm model, boolean trainedNow, double seconds) {}

    public static Loaded getOrPretrain(CheckpointStore store, NDManager manager, PretrainingConfig config,
            Consumer<String> log) {
        Map<String, Object> wanted = config.toMap();
        Optional<Manifest> existing = store.list(RepliesModels.BASE_MODEL).stream()
                .filter(m -> sameConfig(m.hyperparameters(), wanted))
                .reduce((a, b) -> b);
        if (existing.isPresent()) {
            CheckpointId id = existing.get().id();
            log.accept("base model: reusing " + id);
            return new Loaded(id, LanguageModelCheckpoints.load(store, id, manager), false, 0);
        }
        long start = System.nanoTime();
        RepliesWorld world = RepliesWorld.standard();
        TransformerLm model = new BasePretraining(world, new ByteTokenizer(), config)
                .train(manager, RepliesModels.SPEC, log);
        double seconds = (System.nanoTime() - start) / 1e9;
        CheckpointId id = new CheckpointId(RepliesModels.BASE_MODEL, store.nextVersion(RepliesModels.BASE_MODEL));
        Manifest manifest = Manifest.of(id, null, "pretrain")
                .withHyperparameters(wanted)
                .withDataset(Map.of("world", "replies", "texts", config.steps() * config.batchSize()))
                .withMetrics(Map.of("pretrain_seconds", seconds));
        LanguageModelCheckpoints.publish(store, manifest, model);
        log.accept(String.format("base model: pretrained in %.0f s, published %s", seconds, id));
        return new Loaded(id, model, true, seconds);
    }

    /** Manifest numbers come back from JSON as Integer or Double: compare as text of doubles. */
    private static boolean sameConfig(Map<String, Object> stored, Map<String, Object> wanted) {
        if (!stored.keySet().equals(wanted.keySet())) {
            return false;
        }
        for (String key : wanted.keySet()) {
            Object a = stored.get(key);
            Object b = wanted.get(key);
            if (a instanceof Number x && b instanceof Number y) {
                if (Math.abs(x.doubleValue() - y.doubleValue()) > 1e-9 * Math.max(1, Math.abs(y.doubleValue()))) {
                    return false;
                }
            } else if (!String.valueOf(a).equals(String.valueOf(b))) {
                return false;
            }
        }
        return true;
    }
}
