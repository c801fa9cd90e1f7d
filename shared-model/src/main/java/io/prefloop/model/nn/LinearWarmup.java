package io.prefloop.model.nn;

import ai.djl.training.tracker.Tracker;

/**
 * A learning rate that rises linearly over the first {@code steps} updates, to the wrapped
 * schedule's value at update {@code steps}: lr(t) = schedule(t) · min(1, t / steps), t counted from 1
 * (the first update takes 1/steps of the rate). It is a function of the optimizer's update count
 * alone, so a job resumed from a snapshot, which restores that count, continues the same ramp.
 * Diffusion-DPO's reference script (diffusers' train_diffusion_dpo.py) warms up this way.
 */
public final class LinearWarmup implements Tracker {

    private final Tracker schedule;
    private final int steps;

    private LinearWarmup(Tracker schedule, int steps) {
        this.schedule = schedule;
        this.steps = steps;
    }

    /** @return the schedule itself when {@code steps} is 0 */
    public static Tracker of(Tracker schedule, int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, not " + steps);
        }
        return steps == 0 ? schedule : new LinearWarmup(schedule, steps);
    }

    @Override
    public float getNewValue(int numUpdate) {
        float value = schedule.getNewValue(numUpdate);
        return numUpdate >= steps ? value : value * Math.max(numUpdate, 1) / steps;
    }
}
