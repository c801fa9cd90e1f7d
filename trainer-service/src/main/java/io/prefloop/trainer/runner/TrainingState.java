package io.prefloop.trainer.runner;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.nn.OptimizerStep;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An in-memory copy of a run's state after a step (the trained block's weights, its optimizer's
 * moments and update count, and any extra blocks such as an EMA copy), to go back to when the
 * divergence guard trips. Close it to free the copy.
 */
final class TrainingState implements AutoCloseable {

    private final int step;
    private final NDManager manager;
    private final NDList weights;
    private final NDList optimizerState;
    private final int updates;
    private final Map<String, NDList> extras = new LinkedHashMap<>();

    private TrainingState(int step, NDManager manager, NDList weights, NDList optimizerState, int updates) {
        this.step = step;
        this.manager = manager;
        this.weights = weights;
        this.optimizerState = optimizerState;
        this.updates = updates;
    }

    static TrainingState copy(int step, Block block, OptimizerStep optimizer, Map<String, Block> extras,
            NDManager parent) {
        NDManager manager = parent.newSubManager();
        Map.Entry<NDList, Integer> state = optimizer.state(manager);
        TrainingState copy = new TrainingState(step, manager, duplicate(block, manager), state.getKey(), state.getValue());
        extras.forEach((name, extra) -> copy.extras.put(name, duplicate(extra, manager)));
        return copy;
    }

    /** Puts the copy back into the live block, optimizer and extras. */
    void restore(Block block, OptimizerStep optimizer, Map<String, Block> extras) {
        BlockWeights.load(block, weights);
        optimizer.restore(optimizerState, updates);
        extras.forEach((name, extra) -> BlockWeights.load(extra, this.extras.get(name)));
    }

    /** The step this state was taken after (0: before the first). */
    int step() {
        return step;
    }

    @Override
    public void close() {
        manager.close();
    }

    private static NDList duplicate(Block block, NDManager manager) {
        NDList out = new NDList();
        for (NDArray live : BlockWeights.of(block)) {
            NDArray copy = live.duplicate();
            copy.attach(manager);
            copy.setName(live.getName());
            out.add(copy);
        }
        return out;
    }
}
