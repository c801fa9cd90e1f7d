package io.prefloop.model.family;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.ImageRewardSpec;
import io.prefloop.model.reward.RewardModelCheckpoints;
import io.prefloop.model.text.LanguageModelCheckpoints;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Bradley–Terry reward convnet scoring (image, prompt). */
public final class ImageRewardFamily implements ModelFamily<ImageRewardModel> {

    @Override
    public String name() {
        return RewardModelCheckpoints.IMAGE;
    }

    @Override
    public Serves serves() {
        return Serves.IMAGE_REWARDS;
    }

    @Override
    public ImageRewardModel create(Map<String, Object> architecture, NDManager manager) {
        return ImageRewardModel.create(ImageRewardSpec.fromMap(architecture), manager);
    }

    @Override
    public Map<String, Object> architecture(ImageRewardModel model) {
        Map<String, Object> map = new LinkedHashMap<>(model.spec().toMap());
        map.put(LanguageModelCheckpoints.TOKENIZER_KEY, LanguageModelCheckpoints.BYTE_TOKENIZER);
        return map;
    }
}
