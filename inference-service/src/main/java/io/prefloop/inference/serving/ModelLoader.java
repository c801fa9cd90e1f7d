package io.prefloop.inference.serving;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.CheckpointNotFoundException;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.diffusion.Sampler;
import io.prefloop.model.diffusion.SamplerSettings;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.family.ModelFamily;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.RewardNormalizer;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.SamplingParams;
import io.prefloop.model.text.TextGenerator;
import io.prefloop.model.text.TransformerLm;
import java.util.List;

/**
 * Loads a checkpoint from the store onto the serving device: checks that the manifest's hash is
 * the one the registry recorded, lets the store verify the weights against it, rebuilds the
 * network with the manifest's model family (plus the recorded reference for a diffusion model), and runs a
 * warm-up pass whose output must be finite. Anything wrong throws, and nothing stays allocated.
 */
public class ModelLoader {

    private final DirectoryCheckpointStore store;
    private final Device device;

    public ModelLoader(DirectoryCheckpointStore store, Device device) {
        this.store = store;
        this.device = device;
    }

    public Device device() {
        return device;
    }

    /** @param expectedSha256 the weights hash the registry recorded, or null to trust the manifest */
    public LoadedModel load(CheckpointId id, String expectedSha256) {
        Manifest manifest = store.manifest(id).orElseThrow(() -> new CheckpointNotFoundException(id));
        if (expectedSha256 != null && !expectedSha256.equals(manifest.weightsSha256())) {
            throw new IllegalStateException("the manifest's weights hash " + manifest.weightsSha256()
                    + " differs from the registry's " + expectedSha256);
        }
        ModelFamily<?> family = ModelFamilies.of(manifest);
        ModelKind kind = ModelKind.of(family.serves());
        NDManager manager = NDManager.newBaseManager(device);
        try {
            Block network = family.load(store, id, manager);
            Networks networks = switch (kind) {
                case DIFFUSION -> diffusion(manifest, (UNet) network, manager);
                case LANGUAGE -> new Networks.Language((TransformerLm) network);
                case TEXT_REWARD -> new Networks.TextReward((TextRewardModel) network,
                        RewardNormalizer.fromMetrics(manifest.metrics()));
                case IMAGE_REWARD -> new Networks.ImageReward((ImageRewardModel) network,
                        RewardNormalizer.fromMetrics(manifest.metrics()));
            };
            warmUp(networks, manager);
            return new LoadedModel(manifest, kind, networks, manager);
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    private Networks diffusion(Manifest manifest, UNet policy, NDManager manager) {
        CheckpointId referenceId = manifest.reference();
        UNet reference = null;
        if (referenceId != null) {
            reference = ModelFamilies.UNET_EPS.load(store, referenceId, manager);
            if (!reference.spec().equals(policy.spec())) {
                throw new IllegalStateException("reference " + referenceId + " has another architecture");
            }
        }
        return new Networks.Diffusion(policy, reference, referenceId);
    }

    /** One small real request: compiles nothing here, but touches every weight and catches NaN weights. */
    private static void warmUp(Networks networks, NDManager manager) {
        try (NDManager m = manager.newSubManager()) {
            float[] out = new float[0];
            if (networks instanceof Networks.Diffusion d) {
                SamplerSettings s = SamplerSettings.ddim(2, 2.0);
                out = new Sampler(d.policy(), null, d.policy().spec())
                        .sample(m, List.of("a"), new long[] {0}, s).toFloatArray();
                if (d.reference() != null) {
                    checkFinite(new Sampler(d.reference(), d.policy(), d.policy().spec())
                            .sample(m, List.of("a"), new long[] {0}, s.withRewardGuidance(1)).toFloatArray());
                }
            } else if (networks instanceof Networks.Language l) {
                new TextGenerator(l.model(), new ByteTokenizer()).generate(m, List.of("a"), new SamplingParams(2, 0, 1, 0));
            } else if (networks instanceof Networks.TextReward r) {
                NDList in = r.model().inputs(m, new ByteTokenizer(), List.of("a"), List.of("b"));
                out = r.model().forward(new ParameterStore(m, false), in, false).head().toFloatArray();
            } else if (networks instanceof Networks.ImageReward r) {
                int size = r.model().spec().imageSize();
                NDArray image = m.zeros(new ai.djl.ndarray.types.Shape(1, 3, size, size));
                NDList in = r.model().inputs(m, new ByteTokenizer(), image, List.of("a"));
                out = r.model().forward(new ParameterStore(m, false), in, false).head().toFloatArray();
            }
            checkFinite(out);
        }
    }

    private static void checkFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("the warm-up pass produced non-finite values");
            }
        }
    }
}
