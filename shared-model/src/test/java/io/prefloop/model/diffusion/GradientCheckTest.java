package io.prefloop.model.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.junit.jupiter.api.Test;

/**
 * Central finite differences in float64 against autograd, on a ResBlock (GroupNorm, SiLU, convs,
 * embedding projection, 1×1 skip) followed by self-attention.
 */
class GradientCheckTest {

    /** A host block for one ResBlock and one attention layer. */
    static final class Small extends AbstractBlock {
        final ResBlock res;
        final SelfAttention2d attn;

        Small() {
            ParameterSink sink = (name, type, shape, init) -> addParameter(Parameter.builder()
                    .setName(name).setType(type).optShape(shape)
                    .optInitializer(type == Parameter.Type.GAMMA || type == Parameter.Type.BETA
                            ? new FanInUniform(1) : new FanInUniform(1.5)) // non-zero everywhere
                    .build());
            res = new ResBlock(sink.scope("res"), 2, 4, 3, 2);
            attn = new SelfAttention2d(sink.scope("attn"), 4, 2, 2);
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDArray h = res.forward(ps, in.get(0), in.get(1), training);
            return new NDList(attn.forward(ps, h, training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0]};
        }
    }

    @Test
    void analyticGradientsMatchFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            Small block = new Small();
            block.initialize(m, DataType.FLOAT64, new Shape(2, 2, 3, 3), new Shape(2, 3));
            NDArray x = m.randomNormal(new Shape(2, 2, 3, 3)).toType(DataType.FLOAT64, false);
            NDArray emb = m.randomNormal(new Shape(2, 3)).toType(DataType.FLOAT64, false);
            NDArray probe = m.randomNormal(new Shape(2, 4, 3, 3)).toType(DataType.FLOAT64, false);
            x.setRequiresGradient(true);
            ParameterStore ps = new ParameterStore(m, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = block.forward(ps, new NDList(x, emb), true).singletonOrThrow().mul(probe).sum();
                gc.backward(loss);
            }
            int checked = 0;
            for (var p : block.getParameters()) {
                checked += check(p.getValue().getArray(), () -> loss(block, ps, x, emb, probe), p.getKey());
            }
            checked += check(x, () -> loss(block, ps, x, emb, probe), "input");
            assertThat(checked).isGreaterThan(40);
        }
    }

    private static double loss(Small block, ParameterStore ps, NDArray x, NDArray emb, NDArray probe) {
        return block.forward(ps, new NDList(x, emb), false).singletonOrThrow().mul(probe).sum().getDouble();
    }

    /** Compares up to three entries of {@code array}'s gradient with (f(θ+h) − f(θ−h)) / 2h. */
    private static int check(NDArray array, java.util.function.DoubleSupplier f, String name) {
        double[] grad = array.getGradient().toDoubleArray();
        int n = (int) array.size();
        int count = 0;
        for (int i : new int[] {0, n / 2, n - 1}) {
            double[] values = array.toDoubleArray();
            double h = 1e-5;
            values[i] += h;
            array.set(values);
            double up = f.getAsDouble();
            values[i] -= 2 * h;
            array.set(values);
            double down = f.getAsDouble();
            values[i] += h;
            array.set(values);
            double numeric = (up - down) / (2 * h);
            assertThat(grad[i]).as("%s[%d]", name, i)
                    .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-6 + 1e-5 * Math.abs(numeric)));
            count++;
        }
        return count;
    }
}
