package io.prefloop.trainer.job;

import io.prefloop.common.web.ApiException;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.trainer.job.settings.MethodSettings;
import io.prefloop.trainer.job.settings.RewardModelSettings;
import io.prefloop.trainer.job.settings.UsesRewardModel;
import io.prefloop.trainer.registry.CheckpointView;
import io.prefloop.trainer.registry.Registry;
import io.prefloop.trainer.registry.RewardModelReferences;
import org.springframework.stereotype.Component;

/**
 * The checkpoints a new job names, checked when it is created so that a typo or a missing model is
 * a 400 naming the field rather than a queued job bound to fail on a worker: the model a fine-tuning
 * job starts from must have a current checkpoint; {@code reward_model} (PPO, RLOO) must be a text
 * reward model, {@code reward} (DDPO, DPOK) the oracle or an image reward model, {@code init_from}
 * (a reward model's start) a language model.
 */
@Component
public class CheckpointReferences {

    private final Registry registry;
    private final RewardModelReferences textRewardModels;
    private final RewardCheck imageRewards;

    CheckpointReferences(Registry registry, RewardModelReferences textRewardModels, RewardCheck imageRewards) {
        this.registry = registry;
        this.textRewardModels = textRewardModels;
        this.imageRewards = imageRewards;
    }

    /** @throws ApiException 400 naming the first reference that does not hold */
    public void check(Method method, String model, MethodSettings settings) {
        if (settings instanceof UsesRewardModel uses) {
            textRewardModels.resolve(uses.rewardModel());
        }
        imageRewards.require(settings);
        if (settings instanceof RewardModelSettings rm && !rm.initFrom().isEmpty()) {
            requireLanguageModel(rm.initFrom());
        }
        if (method.startsFromCurrentCheckpoint() && !registry.hasCurrent(model)) {
            throw ApiException.invalid("model", "'" + model + "' has no current checkpoint for " + method.json()
                    + " to start from: register one and promote it (POST /v1/models/" + model + "/promote)");
        }
    }

    private void requireLanguageModel(String reference) {
        CheckpointId id = CheckpointId.parse(reference);
        CheckpointView checkpoint;
        try {
            checkpoint = registry.checkpoint(id.model(), id.version());
        } catch (ApiException e) {
            throw ApiException.invalid("hyperparameters.init_from", "no checkpoint " + reference + " in the registry");
        }
        String family = ModelFamilies.nameOf(checkpoint.architecture());
        if (!ModelFamilies.CAUSAL_TRANSFORMER.name().equals(family)) {
            throw ApiException.invalid("hyperparameters.init_from", reference + " is a " + family
                    + ", not a language model (" + ModelFamilies.CAUSAL_TRANSFORMER.name() + ")");
        }
    }
}
