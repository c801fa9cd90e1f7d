package io.prefloop.model.hf;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The committed HuggingFace-layout fixtures (test resources under {@code hf/}) and how the tests compare logits. */
final class HfFixtures {

    private HfFixtures() {}

    /** A fixture's model directory, e.g. {@code llama-gqa}. */
    static Path dir(String name) {
        try {
            return Path.of(HfFixtures.class.getResource("/hf/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static double maxDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
