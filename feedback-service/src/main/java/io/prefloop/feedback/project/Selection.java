package io.prefloop.feedback.project;

/**
 * A project's rule for handing out pairs.
 *
 * @param randomShare under {@code uncertainty}, the share of claims that take a uniformly random
 *     pair instead, so that trainers keep an unbiased sample
 */
public record Selection(SelectionMode mode, double randomShare) {

    public static final double DEFAULT_RANDOM_SHARE = 0.2;

    public static final Selection FIFO = new Selection(SelectionMode.FIFO, DEFAULT_RANDOM_SHARE);
}
