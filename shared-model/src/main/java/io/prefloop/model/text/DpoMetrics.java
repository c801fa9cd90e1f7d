package io.prefloop.model.text;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What TRL's DPOTrainer logs for a batch, each a mean over the pairs. The implicit rewards are
 * β·(log π(y|x) − log π_ref(y|x)); accuracy is the share of pairs whose chosen reward is strictly
 * higher. {@code ref_logps/chosen}, the reference's log-probability of the chosen completions, is
 * not one of TRL's: it lets a caller compare the policy's likelihood of them with the reference's
 * (the divergence guard and {@code quality_regression}).
 */
public record DpoMetrics(
        double loss,
        double rewardsChosen,
        double rewardsRejected,
        double rewardsAccuracies,
        double rewardsMargins,
        double logpsChosen,
        double logpsRejected,
        double nllLoss,
        double refLogpsChosen) {

    /** Without the RPO term (nll_loss is then not logged). */
    public DpoMetrics(double loss, double rewardsChosen, double rewardsRejected, double rewardsAccuracies,
            double rewardsMargins, double logpsChosen, double logpsRejected) {
        this(loss, rewardsChosen, rewardsRejected, rewardsAccuracies, rewardsMargins, logpsChosen, logpsRejected, Double.NaN,
                Double.NaN);
    }

    /** Keyed by TRL's metric names. */
    public Map<String, Double> toMap() {
        Map<String, Double> map = new LinkedHashMap<>();
        map.put("loss", loss);
        map.put("rewards/chosen", rewardsChosen);
        map.put("rewards/rejected", rewardsRejected);
        map.put("rewards/accuracies", rewardsAccuracies);
        map.put("rewards/margins", rewardsMargins);
        map.put("logps/chosen", logpsChosen);
        map.put("logps/rejected", logpsRejected);
        if (!Double.isNaN(nllLoss)) {
            map.put("nll_loss", nllLoss);
        }
        if (!Double.isNaN(refLogpsChosen)) {
            map.put("ref_logps/chosen", refLogpsChosen);
        }
        return map;
    }
}
