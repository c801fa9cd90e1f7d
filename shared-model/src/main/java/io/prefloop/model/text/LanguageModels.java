package io.prefloop.model.text;

import ai.djl.ndarray.NDManager;
import io.prefloop.model.family.ModelFamilies;
import io.prefloop.model.checkpoint.BlockWeights;

/** Small helpers around {@link TransformerLm} instances. */
public final class LanguageModels {

    private LanguageModels() {}

    /** A frozen copy of a model: the DPO reference (docs/djl.md, "Copying a model into a frozen reference"). */
    public static TransformerLm frozenCopy(TransformerLm source, NDManager manager) {
        return ModelFamilies.CAUSAL_TRANSFORMER.frozenCopy(source, manager);
    }

    /** A trainable copy (the policy that starts from a base checkpoint). */
    public static TransformerLm copy(TransformerLm source, NDManager manager) {
        TransformerLm copy = TransformerLm.create(source.spec(), manager);
        BlockWeights.load(copy, BlockWeights.of(source));
        return copy;
    }

    public static long parameterCount(TransformerLm model) {
        return model.getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
    }
}
