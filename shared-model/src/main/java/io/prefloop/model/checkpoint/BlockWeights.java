package io.prefloop.model.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.HashMap;
import java.util.Map;

/**
 * Moves the parameters of a DJL {@link Block} to and from named tensors. Tensor names are DJL's
 * parameter paths ({@code block.getParameters()} keys), so any initialized block round-trips.
 */
public final class BlockWeights {

    private BlockWeights() {}

    /** The block's parameter arrays, each named by its parameter path (no copies). */
    public static NDList of(Block block) {
        NDList out = new NDList();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            array.setName(p.getKey());
            out.add(array);
        }
        return out;
    }

    /**
     * Copies named tensors into an initialized block's parameters. Every parameter must be present
     * with the same shape; extra tensors are an error too, so a wrong architecture fails loudly.
     */
    public static void load(Block block, NDList weights) {
        Map<String, NDArray> byName = new HashMap<>();
        for (NDArray a : weights) {
            byName.put(a.getName(), a);
        }
        int used = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray source = byName.get(p.getKey());
            if (source == null) {
                throw new CheckpointException("no tensor for parameter " + p.getKey());
            }
            NDArray target = p.getValue().getArray();
            if (!target.getShape().equals(source.getShape())) {
                throw new CheckpointException("parameter " + p.getKey() + " has shape "
                        + target.getShape() + ", checkpoint has " + source.getShape());
            }
            target.set(source.toType(target.getDataType(), false).toByteBuffer());
            used++;
        }
        if (used != byName.size()) {
            throw new CheckpointException("checkpoint has " + byName.size()
                    + " tensors, the block has " + used + " parameters");
        }
    }
}
