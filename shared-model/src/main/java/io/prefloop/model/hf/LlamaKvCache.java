package io.prefloop.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of the tokens already fed, per layer, for {@link LlamaForCausalLM}'s generation:
 * stored after the rotary embedding and before the grouped-query repeat, (B, kv heads, S, head_dim),
 * as HF's DynamicCache does. The arrays live on the cache's own manager; replaced ones are closed.
 */
public final class LlamaKvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;

    public LlamaKvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Tokens cached so far (0 before the first forward pass). */
    public long length() {
        return keys[0] == null ? 0 : keys[0].getShape().get(2);
    }

    /** Appends along time; returns {all keys, all values} of the layer. */
    NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
        NDArray allKeys = keys[layer] == null ? newKeys.duplicate() : keys[layer].concat(newKeys, 2);
        NDArray allValues = values[layer] == null ? newValues.duplicate() : values[layer].concat(newValues, 2);
        allKeys.attach(manager);
        allValues.attach(manager);
        if (keys[layer] != null) {
            keys[layer].close();
            values[layer].close();
        }
        keys[layer] = allKeys;
        values[layer] = allValues;
        return new NDArray[] {allKeys, allValues};
    }

    @Override
    public void close() {
        manager.close();
    }
}
