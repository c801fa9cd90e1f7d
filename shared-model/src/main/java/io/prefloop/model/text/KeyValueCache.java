package io.prefloop.model.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of the tokens already seen, per layer, so that each generation step feeds only
 * the new token. The arrays live on the cache's manager; replaced ones are closed at once.
 */
public final class KeyValueCache implements AutoCloseable {

    private final NDManager manager;
    private final List<Layer> layers = new ArrayList<>();

    public KeyValueCache(NDManager parent, int layerCount) {
        this.manager = parent.newSubManager();
        for (int i = 0; i < layerCount; i++) {
            layers.add(new Layer());
        }
    }

    Layer layer(int i) {
        return layers.get(i);
    }

    @Override
    public void close() {
        manager.close();
    }

    /** One layer's keys and values, (B, H, T, head size). */
    final class Layer {
        private NDArray keys;
        private NDArray values;

        /** Appends along time and returns all keys; {@link #values()} then returns all values. */
        NDArray append(NDArray newKeys, NDArray newValues) {
            NDArray allKeys = keys == null ? newKeys : keys.concat(newKeys, 2);
            NDArray allValues = values == null ? newValues : values.concat(newValues, 2);
            allKeys.attach(manager);
            allValues.attach(manager);
            if (keys != null) {
                keys.close();
                values.close();
            }
            keys = allKeys;
            values = allValues;
            return keys;
        }

        NDArray values() {
            return values;
        }
    }
}
