package io.prefloop.feedback.evaluation;

/**
 * The Wilson score interval for a binomial proportion (Wilson 1927): unlike p ± z·√(p(1−p)/n) it
 * stays inside [0, 1] and does not collapse to a point at 0 or n successes.
 *
 * @param low lower bound
 * @param high upper bound
 */
public record WilsonInterval(double low, double high) {

    /** The two-sided 95% normal quantile. */
    public static final double Z95 = 1.959963984540054;

    /**
     * @param successes may be fractional (a tie counts as half a win)
     * @param n trials, > 0
     */
    public static WilsonInterval of(double successes, double n, double z) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive: " + n);
        }
        if (successes < 0 || successes > n) {
            throw new IllegalArgumentException("successes must be in [0, n]: " + successes);
        }
        double p = successes / n;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2 * n)) / denominator;
        double half = z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new WilsonInterval(Math.max(0, center - half), Math.min(1, center + half));
    }

    public static WilsonInterval of95(double successes, double n) {
        return of(successes, n, Z95);
    }
}
