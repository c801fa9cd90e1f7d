package io.prefloop.model.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prefloop.model.checkpoint.BlockWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

class UNetTest {

    static UNetSpec tiny(boolean attention) {
        return new UNetSpec(8, 3, List.of(8, 16), 1, attention, 2, 4, 16,
                List.of("<pad>", "<unk>", "a", "red", "blue", "circle", "square"), 4, "linear", 100);
    }

    @Test
    void predictsNoiseShapedLikeTheInputAndNamesParametersLikePyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet net = UNet.create(tiny(true), m);
            NDArray x = m.randomNormal(new Shape(3, 3, 8, 8));
            NDArray t = m.create(new int[] {0, 50, 99});
            NDArray tokens = net.spec().tokenizer().encode(m, List.of("a red circle", "blue square", "a"));
            NDArray eps = net.predict(new ParameterStore(m, false), x, t, tokens, m.zeros(new Shape(3)), false);
            assertThat(eps.getShape()).isEqualTo(x.getShape());
            assertThat(net.getParameters().keys()).contains(
                    "down.0.res.0.conv1.weight", "mid.attention.qkv.weight",
                    "prompt_encoder.null_embedding", "up.1.upsample.weight", "conv_out.bias");
            assertThat(net.parameterCount()).isGreaterThan(10_000);
        }
    }

    @Test
    void theNullPromptIgnoresTheTokens() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet net = UNet.create(tiny(false), m);
            // zero-initialized output convs make a fresh net ignore its conditioning: perturb them
            for (var p : net.getParameters()) {
                if (p.getKey().endsWith("conv2.weight")) {
                    p.getValue().getArray().set(m.randomNormal(p.getValue().getShape()).mul(0.1f).toFloatArray());
                }
            }
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 8, 8));
            NDArray t = m.create(new int[] {10, 10});
            NDArray a = net.spec().tokenizer().encode(m, List.of("red circle", "red circle"));
            NDArray b = net.spec().tokenizer().encode(m, List.of("blue square", "blue square"));
            NDArray ones = m.ones(new Shape(2));
            NDArray zeros = m.zeros(new Shape(2));
            assertThat(net.predict(ps, x, t, a, ones, false).toFloatArray())
                    .containsExactly(net.predict(ps, x, t, b, ones, false).toFloatArray());
            assertThat(net.predict(ps, x, t, a, zeros, false).toFloatArray())
                    .isNotEqualTo(net.predict(ps, x, t, b, zeros, false).toFloatArray());
        }
    }

    @Test
    void specRoundTripsThroughTheManifestMapAndWeightsThroughSafetensorsNames() {
        UNetSpec spec = tiny(true);
        assertThat(UNetSpec.fromMap(spec.toMap())).isEqualTo(spec);
        try (NDManager m = NDManager.newBaseManager()) {
            UNet a = UNet.create(spec, m);
            UNet b = UNet.create(spec, m);
            NDList weights = BlockWeights.of(a);
            BlockWeights.load(b, weights);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(1, 3, 8, 8));
            NDArray t = m.create(new int[] {7});
            NDArray tok = spec.tokenizer().encode(m, List.of("red square"));
            assertThat(b.predict(ps, x, t, tok, m.zeros(new Shape(1)), false).toFloatArray())
                    .containsExactly(a.predict(ps, x, t, tok, m.zeros(new Shape(1)), false).toFloatArray());
        }
    }

    @Test
    void tokenizerPadsAndMarksUnknownWords() {
        PromptTokenizer tok = tiny(false).tokenizer();
        assertThat(tok.encode("A red circle")).containsExactly(2, 3, 5, 0);
        assertThat(tok.encode("a green circle, please and more")).containsExactly(2, 1, 5, 1);
    }
}
