package io.prefloop.trainer.job.settings;

import io.prefloop.model.diffusion.SamplerSettings;

/** What DDPO's and DPOK's settings share: the reward, how many images a step samples, and how. */
public interface PolicyGradientSettings {

    TrainingSettings training();

    /** {@value RewardSource#ORACLE} or a reward model checkpoint {@code name/version}. */
    String reward();

    int samplesPerStep();

    /** DDIM with the settings' steps, η and CFG scale. */
    SamplerSettings sampler();

    default RewardSource rewardSource() {
        return RewardSource.parse(reward());
    }
}
