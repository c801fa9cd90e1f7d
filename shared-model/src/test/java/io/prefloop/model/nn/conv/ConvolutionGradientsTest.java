package io.prefloop.model.nn.conv;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.ImageRewardSpec;
import io.prefloop.model.shapes.ShapesConvolutions;
import io.prefloop.model.shapes.ShapesModel;
import io.prefloop.model.checkpoint.BlockWeights;
import io.prefloop.model.replies.RepliesModels;
import io.prefloop.model.text.ByteTokenizer;
import io.prefloop.model.text.LanguageModelingLoss;
import io.prefloop.model.text.PromptCompletion;
import io.prefloop.model.text.TokenBatch;
import io.prefloop.model.text.TransformerLm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Float32 convolution gradients are checked against float64 ones, layer shape by layer shape and
 * for whole networks, on the CPU this runs on. On AVX-512 CPUs libtorch's float32 kernels as shipped
 * compute wrong input gradients for some of these shapes; the path in use must not.
 */
class ConvolutionGradientsTest {

    @AfterEach
    void backToTheDefault() {
        Convolutions.reset(ConvolutionPath.PADDED_CHANNELS);
    }

    @Test
    void everyConvolutionOfTheShippedNetworksHasRightGradientsOnThePathInUse() {
        List<ConvCall> calls = ShapesConvolutions.calls(32);
        assertThat(calls).hasSizeGreaterThan(10)
                .anySatisfy(c -> assertThat(c.out()).isEqualTo(3)); // the UNet's conv_out, the shape that broke
        ConvolutionSelfCheck.Report report = ConvolutionSelfCheck.run(calls, Device.cpu());

        assertThat(report.status().trainingAllowed()).as(report.summary()).isTrue();
        ConvolutionCheck.Result inUse = ConvolutionCheck.run(calls, Convolutions.path());
        assertThat(inUse.wrong()).as(inUse.summary()).isEmpty();
        assertThat(report.summary()).contains("in use: convolutions: " + Convolutions.path().description());
    }

    @Test
    void aCheckStartingFromTheKernelsAsShippedEndsOnAPathThatIsRight() {
        List<ConvCall> calls = ShapesConvolutions.calls(16);
        Convolutions.reset(ConvolutionPath.DIRECT);
        ConvolutionStatus status = Convolutions.verify(calls, Device.cpu());

        ConvolutionCheck.Result chosen = ConvolutionCheck.run(calls, status.path());
        assertThat(chosen.wrong()).as("%s: %s", status.path(), chosen.summary()).isEmpty();
        assertThat(status.shapesChecked()).isEqualTo(calls.size());
    }

    @Test
    void channelPaddingGivesTheSameForwardPassAsTheKernelsAsShipped() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray x = m.randomNormal(new Shape(4, 32, 16, 16));
            NDArray w = m.randomNormal(new Shape(3, 32, 3, 3)).mul(0.1);
            NDArray b = m.randomNormal(new Shape(3));
            NDArray direct = Convolutions.compute(x, w, b, 1, 1, ConvolutionPath.DIRECT);
            NDArray padded = Convolutions.compute(x, w, b, 1, 1, ConvolutionPath.PADDED_CHANNELS);
            assertThat(padded.getShape()).isEqualTo(new Shape(4, 3, 16, 16));
            assertThat(padded.sub(direct).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @Test
    void theShapesUNetTrainsWithTheGradientsOfFloat64Convolutions() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            UNet net = UNet.create(ShapesModel.spec(), m);
            int batch = 16;
            NDArray x = m.randomNormal(new Shape(batch, 3, 16, 16));
            NDArray t = m.randomInteger(0, 1000, new Shape(batch), DataType.INT32);
            NDArray tokens = m.randomInteger(2, 12, new Shape(batch, 4), DataType.INT32);
            NDArray useNull = m.zeros(new Shape(batch));
            NDArray noise = m.randomNormal(new Shape(batch, 3, 16, 16));
            assertSameGradients(net, ps -> net.predict(ps, x, t, tokens, useNull, true).sub(noise).square().mean());
        }
    }

    @Test
    void theImageRewardModelTrainsWithTheGradientsOfFloat64Convolutions() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            ByteTokenizer tokenizer = new ByteTokenizer();
            ImageRewardModel model = ImageRewardModel.create(ImageRewardSpec.shapes(tokenizer.vocabSize()), m);
            int batch = 16;
            NDArray images = m.randomUniform(-1, 1, new Shape(batch, 3, 16, 16));
            NDList inputs = model.inputs(m, tokenizer, images,
                    java.util.Collections.nCopies(batch, "a red circle"));
            NDArray signs = m.randomUniform(-1, 1, new Shape(batch));
            assertSameGradients(model, ps -> model.forward(ps, inputs, true).singletonOrThrow().mul(signs).sum());
        }
    }

    @Test
    void theRepliesTransformerHasNoConvolutionsAndTheGradientsOfItsFloat64Twin() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(9);
            ByteTokenizer tokenizer = new ByteTokenizer();
            TransformerLm lm32 = TransformerLm.create(RepliesModels.SPEC, m);
            TransformerLm lm64 = new TransformerLm(RepliesModels.SPEC);
            lm64.initialize(m, DataType.FLOAT64, new Shape(1, RepliesModels.SPEC.maxLength()), new Shape(1, RepliesModels.SPEC.maxLength()));
            BlockWeights.load(lm64, BlockWeights.of(lm32));
            TokenBatch batch = TokenBatch.of(m, List.of(
                    PromptCompletion.encode(tokenizer, "What colour is the sky?", "It is blue."),
                    PromptCompletion.encode(tokenizer, "Capital of France?", "paris lol")), tokenizer.padId(), RepliesModels.SPEC.maxLength());
            assertThat(Convolutions.record(() -> lm32.forward(new ParameterStore(m, false), batch.inputs(), false))).isEmpty();

            Map<String, NDArray> g32 = gradients(lm32, ps -> LanguageModelingLoss.of(lm32.forward(ps, batch.inputs(), true).head(), batch), Convolutions.path());
            Map<String, NDArray> g64 = gradients(lm64, ps -> LanguageModelingLoss.of(lm64.forward(ps, batch.inputs(), true).head(), batch), Convolutions.path());
            assertClose(g32, g64);
        }
    }

    /**
     * Every parameter's gradient with the path in use against the same step with every convolution
     * in float64: cosine ≥ 0.9999 and relative error ≤ 1e-3 (the wrong kernels give cosines of 0.1–0.9
     * below the layer they break, or NaN).
     */
    private static void assertSameGradients(Block block, Function<ParameterStore, NDArray> loss) {
        Map<String, NDArray> inUse = gradients(block, loss, Convolutions.path());
        Map<String, NDArray> reference = gradients(block, loss, ConvolutionPath.FLOAT64);
        assertClose(inUse, reference);
    }

    private static void assertClose(Map<String, NDArray> inUse, Map<String, NDArray> reference) {
        assertThat(inUse).hasSizeGreaterThan(10);
        for (var e : inUse.entrySet()) {
            NDArray a = e.getValue().toType(DataType.FLOAT64, false);
            NDArray r = reference.get(e.getKey()).toType(DataType.FLOAT64, false);
            double scale = r.abs().max().getDouble();
            if (scale == 0) {
                continue;
            }
            double error = a.sub(r).abs().max().getDouble() / scale;
            double cosine = a.mul(r).sum().getDouble() / Math.sqrt(a.square().sum().getDouble() * r.square().sum().getDouble());
            assertThat(error).as("relative error of %s's gradient", e.getKey()).isLessThanOrEqualTo(1e-3);
            assertThat(cosine).as("cosine of %s's gradient", e.getKey()).isGreaterThanOrEqualTo(0.9999);
        }
    }

    private static Map<String, NDArray> gradients(Block block, Function<ParameterStore, NDArray> loss, ConvolutionPath path) {
        ConvolutionPath before = Convolutions.path();
        Convolutions.use(path);
        try {
            ParameterStore ps = new ParameterStore(block.getParameters().get(0).getValue().getArray().getManager(), false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.apply(ps));
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray g = p.getValue().getArray().getGradient();
                grads.put(p.getKey(), g.duplicate());
                g.subi(g); // zero for the next pass
            }
            return grads;
        } finally {
            Convolutions.use(before);
        }
    }
}
