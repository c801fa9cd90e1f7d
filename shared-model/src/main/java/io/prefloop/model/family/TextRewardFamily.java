package io.prefloop.model.family;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.reward.RewardModelCheckpoints;
import io.prefloop.model.reward.TextRewardModel;
import io.prefloop.model.text.LanguageModelCheckpoints;
import io.prefloop.model.text.TransformerSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/** The Bradley–Terry reward model on a causal transformer, scoring (prompt, completion). */
public final class TextRewardFamily implements ModelFamily<TextRewardModel> {

    @Override
    public String name() {
        return RewardModelCheckpoints.TEXT;
    }

    @Override
    public Serves serves() {
        return Serves.TEXT_REWARDS;
    }

    @Override
    public TextRewardModel create(Map<String, Object> architecture, NDManager manager) {
        return TextRewardModel.create(TransformerSpec.fromMap(architecture), manager);
    }

    @Override
    public Map<String, Object> architecture(TextRewardModel model) {
        Map<String, Object> map = new LinkedHashMap<>(LanguageModelCheckpoints.architecture(model.spec()));
        map.put("type", RewardModelCheckpoints.TEXT);
        return map;
    }
}
