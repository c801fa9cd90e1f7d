package io.prefloop.model.shapes;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.checkpoint.CheckpointId;
import io.prefloop.model.checkpoint.CheckpointStore;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.diffusion.UNetSpec;
import io.prefloop.model.family.ModelFamilies;
import java.util.List;

/** The shapes world's UNet configuration, and loading one from a checkpoint. */
public final class ShapesModel {

    public static final int IMAGE_SIZE = 16;
    public static final String MODEL = "shapes-unet";
    public static final CheckpointId BASE = new CheckpointId(MODEL, "base");

    private ShapesModel() {}

    /** About half a million parameters: widths 32/64, one level down, attention at 8×8. */
    public static UNetSpec spec() {
        return new UNetSpec(IMAGE_SIZE, 3, List.of(32, 64), 1, true, 4, 8, 128,
                Prompt.vocabulary(), 4, "linear", 1000);
    }

    /** Rebuilds the network a checkpoint describes and loads its (hash-verified) weights. */
    public static UNet load(CheckpointStore store, CheckpointId id, NDManager m) {
        return ModelFamilies.UNET_EPS.load(store, id, m);
    }

    /** A frozen copy (for a reference model). */
    public static UNet frozenCopy(UNet net, NDManager m) {
        return ModelFamilies.UNET_EPS.frozenCopy(net, m);
    }
}
