package io.prefloop.model.reward;

/**
 * What a tied pair does to the Bradley–Terry loss. TRL's RewardTrainer has no ties (its data has
 * only chosen/rejected); Pick-a-Pic marks them 0.5/0.5.
 */
public enum TiePolicy {
    /** Ties are left out of the loss and of every metric (the default; Wallace et al. drop them too). */
    DROP,
    /**
     * A tie counts as half a win each way: ½·[−log σ(r_a − r_b)] + ½·[−log σ(r_b − r_a)], the
     * Bradley–Terry likelihood of a 0.5 label, which pulls the two rewards together. Ties never
     * count towards accuracy.
     */
    HALF
}
