package io.prefloop.model.family;

import io.prefloop.model.checkpoint.Manifest;
import java.util.List;
import java.util.Map;

/** Every model family Prefloop builds, loads and serves: a new family is added to {@link #ALL}. */
public final class ModelFamilies {

    public static final UNetEpsFamily UNET_EPS = new UNetEpsFamily();
    public static final CausalTransformerFamily CAUSAL_TRANSFORMER = new CausalTransformerFamily();
    public static final TextRewardFamily TEXT_REWARD = new TextRewardFamily();
    public static final ImageRewardFamily IMAGE_REWARD = new ImageRewardFamily();

    private static final List<ModelFamily<?>> ALL = List.of(UNET_EPS, CAUSAL_TRANSFORMER, TEXT_REWARD, IMAGE_REWARD);

    private ModelFamilies() {}

    public static List<ModelFamily<?>> all() {
        return ALL;
    }

    public static ModelFamily<?> of(Manifest manifest) {
        return of(manifest.architecture());
    }

    public static ModelFamily<?> of(Map<String, Object> architecture) {
        return named(nameOf(architecture));
    }

    /** @throws UnknownModelFamilyException naming the family and the known ones */
    public static ModelFamily<?> named(String name) {
        for (ModelFamily<?> family : ALL) {
            if (family.name().equals(name)) {
                return family;
            }
        }
        throw new UnknownModelFamilyException(name, ALL.stream().map(ModelFamily::name).toList());
    }

    /** The UNet records {@code "family"}; the families written before it record {@code "type"}. */
    public static String nameOf(Map<String, Object> architecture) {
        Object name = architecture.containsKey("family") ? architecture.get("family") : architecture.get("type");
        return name == null ? null : name.toString();
    }
}
