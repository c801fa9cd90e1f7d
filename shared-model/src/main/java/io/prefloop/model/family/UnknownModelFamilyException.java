package io.prefloop.model.family;

import java.util.List;

/** A manifest names no family, or one that {@link ModelFamilies} does not list. */
public class UnknownModelFamilyException extends IllegalArgumentException {

    public UnknownModelFamilyException(String family, List<String> known) {
        super((family == null ? "the architecture names no model family (neither \"family\" nor \"type\")"
                : "unknown model family " + family) + "; known: " + String.join(", ", known));
    }
}
