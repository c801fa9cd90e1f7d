package io.prefloop.model.text.rl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RLOO's hyperparameters with the names and defaults of TRL's RLOOConfig (the PPO-style trainer of
 * TRL 0.11–0.19; TRL 0.20 rewrote it in GRPO's shape).
 *
 * @param rlooK samples per prompt, k (rloo_k, 2)
 * @param klCoef β of the sequence-level penalty (kl_coef, 0.05)
 * @param ppoEpochs passes over each batch (num_ppo_epochs, 4)
 * @param miniBatches minibatches per pass (num_mini_batches, 1)
 * @param cliprange ε of the clipped ratio (0.2)
 * @param normalizeAdvantage whiten the advantages over the batch (normalize_advantage, false)
 */
public record RlooConfig(int rlooK, double klCoef, int ppoEpochs, int miniBatches, double cliprange,
        boolean normalizeAdvantage) {

    public RlooConfig {
        if (rlooK < 2) {
            throw new IllegalArgumentException("rloo_k must be >= 2: the baseline needs another sample");
        }
        if (ppoEpochs < 1 || miniBatches < 1) {
            throw new IllegalArgumentException("num_ppo_epochs and num_mini_batches must be >= 1");
        }
        if (!(klCoef >= 0) || Double.isInfinite(klCoef) || !(cliprange > 0 && cliprange < 1)) {
            throw new IllegalArgumentException("kl_coef >= 0 and finite, cliprange in (0, 1)");
        }
    }

    public static RlooConfig trl() {
        return new RlooConfig(2, 0.05, 4, 1, 0.2, false);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("rloo_k", rlooK);
        map.put("kl_coef", klCoef);
        map.put("num_ppo_epochs", ppoEpochs);
        map.put("num_mini_batches", miniBatches);
        map.put("cliprange", cliprange);
        map.put("normalize_advantage", normalizeAdvantage);
        return map;
    }
}
