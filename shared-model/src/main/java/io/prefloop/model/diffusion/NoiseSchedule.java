package io.prefloop.model.diffusion;

import java.util.Locale;

/**
 * A discrete forward-noising schedule: β_t for t = 0..T-1, α_t = 1 − β_t, ᾱ_t = ∏_{s≤t} α_s
 * (indexing as in diffusers: index t is the (t+1)-th noising step). q(x_t | x_0) =
 * N(√ᾱ_t·x_0, (1 − ᾱ_t)·I) (Ho et al. 2020, eq. 4).
 */
public final class NoiseSchedule {

    /** How β_t is laid out over the T steps. */
    public enum Kind {
        /** β linear in t (Ho et al. 2020, §4: 1e-4 to 0.02). */
        LINEAR,
        /** √β linear in t, then squared (Stable Diffusion, diffusers "scaled_linear"). */
        SCALED_LINEAR,
        /** ᾱ from a squared cosine (Nichol & Dhariwal 2021, eq. 17), β clipped at 0.999. */
        COSINE;

        public static Kind parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    private final Kind kind;
    private final double[] betas;
    private final double[] alphaBars;

    private NoiseSchedule(Kind kind, double[] betas) {
        this.kind = kind;
        this.betas = betas;
        this.alphaBars = new double[betas.length];
        double prod = 1;
        for (int t = 0; t < betas.length; t++) {
            prod *= 1 - betas[t];
            alphaBars[t] = prod;
        }
    }

    public static NoiseSchedule linear(int steps, double betaStart, double betaEnd) {
        double[] b = new double[steps];
        for (int t = 0; t < steps; t++) {
            b[t] = betaStart + (betaEnd - betaStart) * t / Math.max(1, steps - 1);
        }
        return new NoiseSchedule(Kind.LINEAR, b);
    }

    public static NoiseSchedule scaledLinear(int steps, double betaStart, double betaEnd) {
        double[] b = new double[steps];
        double s0 = Math.sqrt(betaStart);
        double s1 = Math.sqrt(betaEnd);
        for (int t = 0; t < steps; t++) {
            double s = s0 + (s1 - s0) * t / Math.max(1, steps - 1);
            b[t] = s * s;
        }
        return new NoiseSchedule(Kind.SCALED_LINEAR, b);
    }

    /** Nichol & Dhariwal 2021 eq. 17 with offset s = 0.008; β_t = 1 − ᾱ(t+1)/ᾱ(t) ≤ 0.999. */
    public static NoiseSchedule cosine(int steps) {
        double[] b = new double[steps];
        for (int t = 0; t < steps; t++) {
            double f1 = cosineF((double) t / steps);
            double f2 = cosineF((double) (t + 1) / steps);
            b[t] = Math.min(1 - f2 / f1, 0.999);
        }
        return new NoiseSchedule(Kind.COSINE, b);
    }

    private static double cosineF(double u) {
        double c = Math.cos((u + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** The defaults used across the platform: linear for LINEAR and COSINE has no β range. */
    public static NoiseSchedule of(Kind kind, int steps) {
        return switch (kind) {
            case LINEAR -> linear(steps, 1e-4, 0.02);
            case SCALED_LINEAR -> scaledLinear(steps, 0.00085, 0.012);
            case COSINE -> cosine(steps);
        };
    }

    public Kind kind() {
        return kind;
    }

    /** T, the number of noising steps. */
    public int steps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[t];
    }

    public double alpha(int t) {
        return 1 - betas[t];
    }

    /** ᾱ_t; by the DDIM convention ᾱ_{−1} = 1 (Song et al. 2021, §4.1: "α_0 := 1"). */
    public double alphaBar(int t) {
        return t < 0 ? 1.0 : alphaBars[t];
    }

    /** Signal-to-noise ratio ᾱ_t / (1 − ᾱ_t) (Kingma et al. 2021, eq. 2); λ_t = log SNR. */
    public double snr(int t) {
        double a = alphaBar(t);
        return a / (1 - a);
    }

    /**
     * The {@code n} timesteps a DDIM/DDPM sampler visits, largest first, evenly spaced from 0
     * ("leading" spacing in diffusers: T=1000, n=25 gives 960, 920, ..., 0).
     */
    public int[] samplingTimesteps(int n) {
        if (n < 1 || n > steps()) {
            throw new IllegalArgumentException("sampling steps must be in 1.." + steps() + ", got " + n);
        }
        int ratio = steps() / n;
        int[] ts = new int[n];
        for (int i = 0; i < n; i++) {
            ts[i] = (n - 1 - i) * ratio;
        }
        return ts;
    }

    /** The timestep after {@code t} in {@link #samplingTimesteps(int)}; −1 after the last. */
    public int previousTimestep(int t, int n) {
        return Math.max(-1, t - steps() / n);
    }
}
