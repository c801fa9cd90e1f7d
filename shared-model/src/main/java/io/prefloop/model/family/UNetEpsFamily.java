package io.prefloop.model.family;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.diffusion.UNetSpec;
import java.util.Map;

/** The ε-predicting text-to-image UNet (docs/diffusion.md). */
public final class UNetEpsFamily implements ModelFamily<UNet> {

    @Override
    public String name() {
        return UNetSpec.FAMILY;
    }

    @Override
    public Serves serves() {
        return Serves.IMAGES;
    }

    @Override
    public UNet create(Map<String, Object> architecture, NDManager manager) {
        return UNet.create(UNetSpec.fromMap(architecture), manager);
    }

    @Override
    public Map<String, Object> architecture(UNet model) {
        return model.spec().toMap();
    }
}
