package io.prefloop.model.diffusion;

import java.util.Locale;

/**
 * How to sample (the fields of POST /v1/images/generations).
 *
 * @param eta DDIM stochasticity; ignored by DDPM
 * @param rewardGuidanceScale w_rg of DCO reward guidance; 0 = plain CFG
 * @param clipX0 clip the predicted x̂0 to the image range [−1, 1] at every step
 */
public record SamplerSettings(int steps, Kind sampler, double eta, double cfgScale, double rewardGuidanceScale,
        boolean clipX0) {

    /** The samplers, each with its reverse step: a new sampler is added here. */
    public enum Kind {
        DDIM(new DdimStep()),
        DDPM(new DdpmStep());

        private final ReverseStep step;

        Kind(ReverseStep step) {
            this.step = step;
        }

        public ReverseStep step() {
            return step;
        }

        public static Kind parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    public static SamplerSettings ddim(int steps, double cfgScale) {
        return new SamplerSettings(steps, Kind.DDIM, 0, cfgScale, 0, true);
    }

    public SamplerSettings withRewardGuidance(double wRg) {
        return new SamplerSettings(steps, sampler, eta, cfgScale, wRg, clipX0);
    }

    public SamplerSettings withEta(double e) {
        return new SamplerSettings(steps, sampler, e, cfgScale, rewardGuidanceScale, clipX0);
    }
}
