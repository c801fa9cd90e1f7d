package io.prefloop.model.shapes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Renders scenes into one (N, 3, H, W) array. */
public final class ShapesBatch {

    private ShapesBatch() {}

    public static NDArray images(NDManager m, List<Scene> scenes, int size) {
        int per = 3 * size * size;
        float[] flat = new float[scenes.size() * per];
        for (int i = 0; i < scenes.size(); i++) {
            System.arraycopy(ShapeRenderer.render(scenes.get(i), size), 0, flat, i * per, per);
        }
        return m.create(flat, new Shape(scenes.size(), 3, size, size));
    }

    /** Row i of a (N, 3, H, W) array as a flat (3·H·W) float image for the oracle. */
    public static float[] row(float[] flat, int i, int size) {
        int per = 3 * size * size;
        float[] out = new float[per];
        System.arraycopy(flat, i * per, out, 0, per);
        return out;
    }
}
