package io.prefloop.inference.support;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.prefloop.common.test.ApiClient;
import io.prefloop.common.test.ServiceProcess;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.ImageRewardSpec;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.shapes.ShapesModel;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.TransformerLm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The rest of the platform, once per test JVM: a checkpoint store seeded with the committed base
 * models and a few derived checkpoints, and the real trainer-service and feedback-service started
 * from their jars (each on its embedded PostgreSQL) over that store.
 *
 * <p>Models: {@code shapes-unet} (base, and v0002: a perturbed copy that records base as its
 * reference, current), {@code swap-unet} v0001/v0002 (hot swap), {@code corrupt-unet} v0001/v0002
 * (v0002 is damaged by its test), {@code replies-base} v0001, {@code replies-reward} v0001 (a text
 * reward model), {@code shapes-reward} v0001 (an image reward model).
 */
public final class Platform {

    public static final String ADMIN = "inference-admin";
    public static final String SERVICE = "inference-service-key";

    private static Platform instance;

    public final Path dir;
    public final DirectoryCheckpointStore store;
    public final ServiceProcess feedback;
    public final ServiceProcess trainer;
    private final int feedbackPort;
    private final int trainerPort;

    private Platform(Path dir) throws IOException {
        this.dir = dir;
        Path root = Files.createDirectories(dir.resolve("store"));
        this.store = new DirectoryCheckpointStore(root);
        seed();
        Map<String, String> env = Map.of("PREFLOOP_ADMIN_KEY", ADMIN, "PREFLOOP_SERVICE_KEY", SERVICE);
        feedbackPort = ServiceProcess.freePort();
        feedback = ServiceProcess.startJar("feedback-service", Files.createDirectories(dir.resolve("feedback")),
                feedbackPort, env);
        Map<String, String> trainerEnv = new LinkedHashMap<>(env);
        trainerEnv.put("PREFLOOP_CHECKPOINTS_ROOT", root.toString());
        trainerEnv.put("PREFLOOP_TRAINER_WORKERS_COUNT", "0");
        trainerEnv.put("PREFLOOP_FEEDBACK_URL", "http://localhost:" + feedbackPort);
        trainerPort = ServiceProcess.freePort();
        trainer = ServiceProcess.startJar("trainer-service", Files.createDirectories(dir.resolve("trainer")),
                trainerPort, trainerEnv);
        promote("shapes-unet", "v0002");
        promote("swap-unet", "v0001");
        promote("corrupt-unet", "v0001");
        promote("replies-base", "v0001");
        promote("replies-reward", "v0001");
        promote("shapes-reward", "v0001");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // both at once: surefire gives a finishing fork only so long, and a service killed
            // half-way leaves its embedded PostgreSQL behind
            Thread stopFeedback = new Thread(() -> {
                try {
                    feedback.close();
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
            });
            stopFeedback.start();
            try {
                trainer.close();
                stopFeedback.join();
                deleteTree(dir);
            } catch (InterruptedException | IOException ignored) {
                // exiting anyway
            }
        }));
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public static synchronized Platform get() {
        if (instance == null) {
            try {
                instance = new Platform(Files.createTempDirectory("inference-it"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    public String trainerUrl() {
        return "http://localhost:" + trainerPort;
    }

    public String feedbackUrl() {
        return "http://localhost:" + feedbackPort;
    }

    public ApiClient trainerApi() {
        return trainer.api();
    }

    public ApiClient feedbackApi() {
        return feedback.api();
    }

    /** Registers what the store holds and makes {@code model/version} current. */
    public void promote(String model, String version) {
        ApiClient api = trainer.api();
        api.post("/v1/models/sync", ADMIN, "{}");
        ApiClient.Response r = api.post("/v1/models/" + model + "/promote", ADMIN,
                "{\"version\":\"" + version + "\",\"reason\":\"test\"}");
        if (r.status() != 200) {
            throw new IllegalStateException("promote " + model + "/" + version + ": " + r.status() + " " + r.body());
        }
    }

    private void seed() throws IOException {
        copy(Path.of("..", "shared-model", "checkpoints", "shapes-unet", "base"), "shapes-unet", "base");
        copy(Path.of("..", "shared-model", "checkpoints", "replies-base", "v0001"), "replies-base", "v0001");
        CheckpointId base = ShapesModel.BASE;
        try (NDManager m = NDManager.newBaseManager()) {
            UNet net = ShapesModel.load(store, base, m);
            NDList baseWeights = copyOf(BlockWeights.of(net), m);
            publishUnet(net, baseWeights, new CheckpointId("shapes-unet", "v0002"), base, 0.05, 1);
            publishUnet(net, baseWeights, new CheckpointId("swap-unet", "v0001"), null, 0, 0);
            publishUnet(net, baseWeights, new CheckpointId("swap-unet", "v0002"), null, 0.05, 2);
            publishUnet(net, baseWeights, new CheckpointId("corrupt-unet", "v0001"), null, 0, 0);
            publishUnet(net, baseWeights, new CheckpointId("corrupt-unet", "v0002"), null, 0.05, 3);

            TransformerLm lm = LanguageModelCheckpoints.load(store, new CheckpointId("replies-base", "v0001"), m);
            TextRewardModel textReward = TextRewardModel.fromLanguageModel(lm, m);
            Map<String, Object> textArch = new LinkedHashMap<>(LanguageModelCheckpoints.architecture(lm.spec()));
            textArch.put("type", "text_reward_model");
            store.publish(Manifest.of(new CheckpointId("replies-reward", "v0001"), textArch, "reward_model")
                    .withMetrics(Map.of("reward_mean", 0.5, "reward_std", 2.0)), BlockWeights.of(textReward));

            ai.djl.engine.Engine.getInstance().setRandomSeed(5);
            ImageRewardModel imageReward = ImageRewardModel.create(ImageRewardSpec.shapes(ByteTokenizer.VOCAB_SIZE), m);
            Map<String, Object> imageArch = new LinkedHashMap<>(imageReward.spec().toMap());
            imageArch.put("tokenizer", "byte");
            store.publish(Manifest.of(new CheckpointId("shapes-reward", "v0001"), imageArch, "reward_model"),
                    BlockWeights.of(imageReward));
        }
    }

    /** Publishes the base weights, each tensor plus {@code noise}·std·N(0, 1), under {@code id}. */
    private void publishUnet(UNet net, NDList baseWeights, CheckpointId id, CheckpointId reference, double noise,
            long seed) {
        Random random = new Random(seed);
        NDList weights = new NDList();
        for (NDArray w : baseWeights) {
            float[] v = w.toFloatArray();
            double mean = 0;
            for (float x : v) {
                mean += x;
            }
            mean /= v.length;
            double var = 0;
            for (float x : v) {
                var += (x - mean) * (x - mean);
            }
            double std = Math.sqrt(var / v.length);
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (noise * std * random.nextGaussian());
            }
            NDArray a = w.getManager().create(v, w.getShape());
            a.setName(w.getName());
            weights.add(a);
        }
        Manifest manifest = Manifest.of(id, net.spec().toMap(), reference == null ? "copy" : "dco")
                .withParent(reference).withReference(reference);
        store.publish(manifest, weights);
    }

    private static NDList copyOf(NDList list, NDManager m) {
        NDList out = new NDList();
        for (NDArray a : list) {
            NDArray c = a.duplicate();
            c.attach(m);
            c.setName(a.getName());
            out.add(c);
        }
        return out;
    }

    private void copy(Path from, String model, String version) throws IOException {
        Path to = Files.createDirectories(store.root().resolve(model).resolve(version));
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
