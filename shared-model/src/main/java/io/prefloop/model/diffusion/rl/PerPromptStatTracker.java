package io.prefloop.model.diffusion.rl;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-prompt advantage normalisation of DDPO (Black et al. 2023, App. B; kvablack/ddpo-pytorch
 * stat_tracking.py): each prompt keeps its last {@code bufferSize} rewards, across sampling rounds;
 * a reward's advantage is (r − mean) / (std + 1e-6) over its prompt's buffer once that holds at least
 * {@code minCount} rewards, and over the whole batch before that. As in the reference the batch's
 * rewards are added to the buffer before the statistics are taken, and std is the population one.
 */
public final class PerPromptStatTracker {

    private final int bufferSize;
    private final int minCount;
    private final Map<String, Deque<Double>> buffers = new HashMap<>();

    public PerPromptStatTracker(int bufferSize, int minCount) {
        if (bufferSize < 1 || minCount < 0) {
            throw new IllegalArgumentException("buffer size must be >= 1 and min count >= 0");
        }
        this.bufferSize = bufferSize;
        this.minCount = minCount;
    }

    /** @return the advantage of each reward, row by row */
    public double[] update(List<String> prompts, double[] rewards) {
        if (prompts.size() != rewards.length) {
            throw new IllegalArgumentException(prompts.size() + " prompts for " + rewards.length + " rewards");
        }
        double batchMean = mean(rewards);
        double batchStd = std(rewards, batchMean);
        Map<String, double[]> stats = new HashMap<>();
        for (int i = 0; i < rewards.length; i++) {
            Deque<Double> buffer = buffers.computeIfAbsent(prompts.get(i), p -> new ArrayDeque<>());
            buffer.addLast(rewards[i]);
            if (buffer.size() > bufferSize) {
                buffer.removeFirst();
            }
        }
        double[] advantages = new double[rewards.length];
        for (int i = 0; i < rewards.length; i++) {
            double[] s = stats.computeIfAbsent(prompts.get(i), p -> {
                Deque<Double> buffer = buffers.get(p);
                if (buffer.size() < minCount) {
                    return new double[] {batchMean, batchStd};
                }
                double[] values = buffer.stream().mapToDouble(Double::doubleValue).toArray();
                double m = mean(values);
                return new double[] {m, std(values, m)};
            });
            advantages[i] = (rewards[i] - s[0]) / (s[1] + 1e-6);
        }
        return advantages;
    }

    /** How many rewards a prompt's buffer holds. */
    public int count(String prompt) {
        Deque<Double> buffer = buffers.get(prompt);
        return buffer == null ? 0 : buffer.size();
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double std(double[] v, double mean) {
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return Math.sqrt(s / v.length);
    }
}
