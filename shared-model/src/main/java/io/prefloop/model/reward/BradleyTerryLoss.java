package io.prefloop.model.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;

/**
 * Bradley–Terry reward loss as TRL's RewardTrainer computes it (InstructGPT, Ouyang et al. 2022,
 * eq. 1; margin from Llama 2, Touvron et al. 2023, eq. 2):
 * <pre>  −log σ(r_c − r_r − m) + λ·mean((r_c + r_r)²)</pre>
 * where λ is {@code center_rewards_coefficient} (Eisenstein et al. 2023), which keeps rewards
 * centred on zero. Ties are handled as {@link TiePolicy} says. −log σ(z) is softplus(−z).
 */
public final class BradleyTerryLoss {

    private final TiePolicy tiePolicy;
    private final double centerCoefficient;

    public BradleyTerryLoss(TiePolicy tiePolicy, double centerCoefficient) {
        if (!(centerCoefficient >= 0)) {
            throw new IllegalArgumentException("center_rewards_coefficient must be ≥ 0");
        }
        this.tiePolicy = tiePolicy;
        this.centerCoefficient = centerCoefficient;
    }

    public record Result(NDArray loss, RewardMetrics metrics) {}

    /**
     * @param chosen (B) rewards of the preferred item (for a tie: either item)
     * @param rejected (B) rewards of the other item
     * @param margins per-pair margins m (≥ 0, e.g. from a Likert gap), or null for none; ignored on ties
     * @param ties which pairs are ties, or null for none
     */
    public Result compute(NDArray chosen, NDArray rejected, float[] margins, boolean[] ties) {
        NDManager manager = chosen.getManager();
        int n = (int) chosen.getShape().get(0);
        float[] decisive = new float[n];
        float[] tied = new float[n];
        float[] margin = new float[n];
        int counted = 0;
        int decisiveCount = 0;
        for (int i = 0; i < n; i++) {
            boolean tie = ties != null && ties[i];
            if (!tie) {
                decisive[i] = 1;
                margin[i] = margins == null ? 0 : margins[i];
                decisiveCount++;
                counted++;
            } else if (tiePolicy == TiePolicy.HALF) {
                tied[i] = 1;
                counted++;
            }
        }
        if (counted == 0) {
            throw new IllegalArgumentException("no pair counts towards the loss (all ties, dropped)");
        }
        NDArray decisiveMask = manager.create(decisive);
        NDArray tieMask = manager.create(tied);
        NDArray countedMask = decisiveMask.add(tieMask);

        NDArray diff = chosen.sub(rejected);
        NDArray decisiveLoss = Activation.softPlus(diff.sub(manager.create(margin)).neg());
        NDArray tieLoss = Activation.softPlus(diff.neg()).add(Activation.softPlus(diff)).mul(0.5f);
        NDArray perPair = decisiveLoss.mul(decisiveMask).add(tieLoss.mul(tieMask));
        NDArray loss = perPair.sum().div(counted);
        if (centerCoefficient > 0) {
            NDArray centring = chosen.add(rejected).square().mul(countedMask).sum().div(counted);
            loss = loss.add(centring.mul((float) centerCoefficient));
        }

        float[] c = chosen.stopGradient().toType(DataType.FLOAT32, false).toFloatArray();
        float[] r = rejected.stopGradient().toType(DataType.FLOAT32, false).toFloatArray();
        double correct = 0;
        double marginSum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double rewardSum = 0;
        for (int i = 0; i < n; i++) {
            if (decisive[i] == 1) {
                correct += c[i] > r[i] ? 1 : 0;
                marginSum += c[i] - r[i];
            }
            if (decisive[i] == 1 || tied[i] == 1) {
                min = Math.min(min, Math.min(c[i], r[i]));
                max = Math.max(max, Math.max(c[i], r[i]));
                rewardSum += c[i] + r[i];
            }
        }
        RewardMetrics metrics = new RewardMetrics(
                loss.getFloat(),
                decisiveCount == 0 ? Double.NaN : correct / decisiveCount,
                decisiveCount == 0 ? Double.NaN : marginSum / decisiveCount,
                min, rewardSum / (2.0 * counted), max, counted);
        return new Result(loss, metrics);
    }
}
