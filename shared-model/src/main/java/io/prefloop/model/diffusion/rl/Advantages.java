package io.prefloop.model.diffusion.rl;

/** Advantage clipping of DDPO: each advantage into [−max, max] (ddpo-pytorch's adv_clip_max, 5). */
public final class Advantages {

    private Advantages() {}

    public static double[] clip(double[] advantages, double max) {
        double[] out = new double[advantages.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(-max, Math.min(max, advantages[i]));
        }
        return out;
    }
}
