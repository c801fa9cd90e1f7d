package io.prefloop.model.text.rl;

/**
 * The KL coefficient β of the per-token penalty −β·KL (Ziegler et al. 2019, "Fine-tuning language
 * models from human preferences", section 2.2): fixed, or adapted towards a target KL.
 */
public interface KlController {

    /** The coefficient for the next batch of rollouts. */
    double value();

    /**
     * After a batch of rollouts.
     *
     * @param currentKl the batch's mean KL to the reference, summed over each completion's tokens
     * @param steps how many rollouts the batch had (TRL passes its batch size)
     */
    void update(double currentKl, int steps);

    /** Puts the coefficient back (a resumed run continues with the value it had). */
    void restore(double value);
}
