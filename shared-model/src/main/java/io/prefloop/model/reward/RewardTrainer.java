package io.prefloop.model.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.prefloop.model.nn.OptimizerStep;

/**
 * One Bradley–Terry step per call for any reward model whose block maps a batch of inputs to
 * rewards (B). The batch holds 2n rows: the n chosen items first, then the n rejected ones, so
 * both sides go through the network together.
 */
public final class RewardTrainer {

    private final Block model;
    private final BradleyTerryLoss loss;
    private final OptimizerStep optimizer;

    public RewardTrainer(Block model, BradleyTerryLoss loss, OptimizerStep optimizer) {
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    /**
     * @param inputs 2n rows, chosen then rejected; owned by a manager the caller closes
     * @param margins n margins or null
     * @param ties n tie flags or null
     */
    public RewardMetrics step(NDManager manager, NDList inputs, float[] margins, boolean[] ties) {
        RewardMetrics metrics;
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray rewards = model.forward(new ParameterStore(manager, false), inputs, true).head();
            int n = (int) rewards.getShape().get(0) / 2;
            BradleyTerryLoss.Result result = loss.compute(
                    rewards.get(new NDIndex("0:{}", n)), rewards.get(new NDIndex("{}:", n)), margins, ties);
            collector.backward(result.loss());
            metrics = result.metrics();
        }
        optimizer.step();
        return metrics;
    }

    /** Rewards of a batch, no gradient. */
    public static float[] score(Block model, NDManager manager, NDList inputs) {
        return model.forward(new ParameterStore(manager, false), inputs, false).head().toFloatArray();
    }
}
