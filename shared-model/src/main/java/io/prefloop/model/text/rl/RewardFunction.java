package io.prefloop.model.text.rl;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.text.Generation;
import java.util.List;

/** The score of each sampled completion of a prompt (a reward model's, or a rule's in tests). */
@FunctionalInterface
public interface RewardFunction {

    double[] score(NDManager manager, List<String> prompts, List<Generation> completions);
}
