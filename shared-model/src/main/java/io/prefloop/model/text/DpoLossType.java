package io.prefloop.model.text;

/** The DPO loss variants TRL's {@code loss_type} names, with the same formulas (see {@link DpoLoss}). */
public enum DpoLossType {
    /** Rafailov et al. 2023, eq. 7; with label smoothing ε it is cDPO (Mitchell 2023, eq. 3). */
    SIGMOID,
    /**
     * SLiC (Zhao et al. 2023) as TRL writes it: relu(1 − βΔ). The paper's calibration loss is
     * max(0, δ − log π(c) + log π(r)) without a reference; TRL (followed here, so that TRL configs
     * carry over) puts the reference log-ratio inside Δ and β = 1/δ.
     */
    HINGE,
    /**
     * IPO, Azar et al. 2023, eq. 17: (Δ − 1/(2β))². The paper's Δ uses sequence log-likelihoods;
     * TRL averages them over the completion tokens, and we follow TRL so that its β values (τ in the
     * paper) mean the same here.
     */
    IPO,
    /** Robust DPO (Chowdhury et al. 2024, "Provably robust DPO"): unbiased under a label flip rate ε. */
    ROBUST;

    /** IPO compares mean per-token log-probabilities; the others compare sums. */
    public boolean lengthNormalised() {
        return this == IPO;
    }

    public String trlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static DpoLossType fromTrlName(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
