package io.prefloop.model.text.rl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PPO's update hyperparameters with TRL's names; {@link #trl()} has TRL's PPOConfig defaults.
 *
 * @param ppoEpochs passes over each batch of rollouts (num_ppo_epochs, 4)
 * @param miniBatches minibatches per pass, one optimizer step each (num_mini_batches, 1)
 * @param cliprange ε of the clipped surrogate (0.2)
 * @param cliprangeValue ε_v of the clipped value loss (0.2)
 * @param vfCoef weight of the value loss (0.1)
 * @param gamma GAE's discount (1)
 * @param lam GAE's λ (0.95)
 */
public record PpoConfig(int ppoEpochs, int miniBatches, double cliprange, double cliprangeValue, double vfCoef,
        double gamma, double lam) {

    public PpoConfig {
        if (ppoEpochs < 1 || miniBatches < 1) {
            throw new IllegalArgumentException("num_ppo_epochs and num_mini_batches must be >= 1");
        }
        if (!(cliprange > 0 && cliprange < 1) || !(cliprangeValue > 0) || Double.isInfinite(cliprangeValue)
                || !(vfCoef >= 0) || Double.isInfinite(vfCoef)) {
            throw new IllegalArgumentException("cliprange in (0, 1), cliprange_value > 0 and vf_coef >= 0, all finite");
        }
        new Gae(gamma, lam);
    }

    public static PpoConfig trl() {
        return new PpoConfig(4, 1, 0.2, 0.2, 0.1, 1, 0.95);
    }

    public Gae gae() {
        return new Gae(gamma, lam);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("num_ppo_epochs", ppoEpochs);
        map.put("num_mini_batches", miniBatches);
        map.put("cliprange", cliprange);
        map.put("cliprange_value", cliprangeValue);
        map.put("vf_coef", vfCoef);
        map.put("gamma", gamma);
        map.put("lam", lam);
        return map;
    }
}
