package io.prefloop.trainer.job.settings;

/** Settings of a method that holds some prompts' comparisons out of training to evaluate on. */
public interface HeldOutSplit {

    Setting HELD_OUT = Setting.number("heldout_fraction", 0.1, 0, false, 0.5);

    /** The share of prompts held out (0: none; the split is by prompt, see ComparisonSet). */
    double heldoutFraction();
}
