package io.prefloop.model.family;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.checkpoint.DirectoryCheckpointStore;
import io.prefloop.model.checkpoint.Manifest;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.ImageRewardSpec;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.text.TransformerLm;
import io.prefloop.model.text.TransformerSpec;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelFamiliesTest {

    private static final Map<String, Class<?>> COMMITTED = Map.of(
            "shapes-unet", UNet.class,
            "replies-base", TransformerLm.class);

    @Test
    void everyCommittedCheckpointResolvesToItsFamilyAndLoads() {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(Path.of("checkpoints"));
        assertThat(store.models()).containsExactlyInAnyOrderElementsOf(COMMITTED.keySet());
        try (NDManager m = NDManager.newBaseManager()) {
            for (String model : store.models()) {
                for (Manifest manifest : store.list(model)) {
                    ModelFamily<?> family = ModelFamilies.of(manifest);
                    Block network = family.load(store, manifest.id(), m);
                    assertThat(network).as(manifest.id().toString()).isInstanceOf(COMMITTED.get(model));
                }
            }
        }
    }

    @Test
    void rewardFamiliesRebuildFromTheArchitectureTheyWrite() {
        try (NDManager m = NDManager.newBaseManager()) {
            TextRewardModel text = TextRewardModel.create(new TransformerSpec(259, 16, 8, 2, 1, 16), m);
            Map<String, Object> textArchitecture = ModelFamilies.TEXT_REWARD.architecture(text);
            assertThat(ModelFamilies.of(textArchitecture)).isSameAs(ModelFamilies.TEXT_REWARD);
            assertThat(ModelFamilies.TEXT_REWARD.create(textArchitecture, m).spec()).isEqualTo(text.spec());

            ImageRewardModel image = ImageRewardModel.create(ImageRewardSpec.shapes(259), m);
            Map<String, Object> imageArchitecture = ModelFamilies.IMAGE_REWARD.architecture(image);
            assertThat(ModelFamilies.of(imageArchitecture)).isSameAs(ModelFamilies.IMAGE_REWARD);
            assertThat(ModelFamilies.IMAGE_REWARD.create(imageArchitecture, m).spec().toMap())
                    .isEqualTo(image.spec().toMap());
        }
    }

    @Test
    void anUnknownFamilyIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> ModelFamilies.of(Map.of("family", "sd-unet")))
                .isInstanceOf(UnknownModelFamilyException.class)
                .hasMessage("unknown model family sd-unet; known: unet-eps, causal_transformer, text_reward_model,"
                        + " image_reward_convnet");
        assertThatThrownBy(() -> ModelFamilies.of(Map.of("d_model", 64)))
                .isInstanceOf(UnknownModelFamilyException.class)
                .hasMessageStartingWith("the architecture names no model family");
    }
}
