package io.prefloop.model.text;

/** The DPO loss variants TRL's {@code loss_type} names, with the same formulas (see {@link DpoLoss}). */
public enum DpoLossType {
    /** Rafailov et al. 2023, eq. 7; with label smoothing ε it is cDPO (Mitchell 2023, eq. 3). */
    SIGMOID,
    /** SLiC (Zhao et al. 2023): relu(1 − βΔ). */
    HINGE,
    /** Azar et al. 2023, eq. 17, on length-normalised log-probabilities as TRL does. */
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
