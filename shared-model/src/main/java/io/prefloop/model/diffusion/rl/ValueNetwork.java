package io.prefloop.model.diffusion.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

/**
 * DPOK's value function V(x_t, t, prompt) (Fan et al. 2023, §4.2; google-research/dpok
 * reward_model.py ValueMulti): an MLP on the flattened noisy image concatenated with a prompt
 * vector, whose hidden layers are scaled per sampling step by a learned vector γ_k ("conditional
 * linear"), then a linear head. DPOK feeds a 64×64×4 latent and a CLIP text embedding through three
 * such layers of 256; here the image is 16×16×3 = 768 numbers and the prompt is a few words of a
 * small vocabulary, so a bag of words stands in for the text encoder and two layers of
 * {@code hidden} units suffice (≈ 0.1 M parameters, a fifth of the UNet: cheap next to a UNet
 * pass). γ starts at 1, so the network starts as a plain MLP.
 *
 * <p>Inputs: x_t (N, C, H, W), step indices k (N) int32 in [0, steps), prompt tokens (N, L) int32
 * (0 = padding). Output: (N) values.
 */
public final class ValueNetwork extends AbstractBlock {

    private final int inputs;
    private final int vocabulary;
    private final int steps;
    private final int hidden;
    private final Parameter w1, b1, g1, w2, b2, g2, w3, b3;

    public ValueNetwork(int imagePixels, int vocabulary, int steps, int hidden) {
        this.inputs = imagePixels + vocabulary;
        this.vocabulary = vocabulary;
        this.steps = steps;
        this.hidden = hidden;
        w1 = weight("w1", new Shape(inputs, hidden));
        b1 = bias("b1", hidden);
        g1 = gamma("gamma1");
        w2 = weight("w2", new Shape(hidden, hidden));
        b2 = bias("b2", hidden);
        g2 = gamma("gamma2");
        // a zero head: V starts as a constant, set to the first rewards' mean (startAt)
        w3 = addParameter(Parameter.builder().setName("w3").setType(Parameter.Type.WEIGHT).optShape(new Shape(hidden, 1))
                .optInitializer(new ConstantInitializer(0)).build());
        b3 = bias("b3", 1);
    }

    public static ValueNetwork create(int imagePixels, int vocabulary, int steps, int hidden, NDManager manager) {
        ValueNetwork net = new ValueNetwork(imagePixels, vocabulary, steps, hidden);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, imagePixels));
        return net;
    }

    public int steps() {
        return steps;
    }

    /**
     * Sets V to {@code reward} everywhere while the head is still at its zero start, so that the
     * first advantages are r − mean(r) rather than r minus an untrained network's output; a network
     * that has trained (or was restored from a snapshot) is left alone.
     */
    public void startAt(double reward) {
        NDArray head = w3.getArray();
        NDArray bias = b3.getArray();
        if (head.abs().sum().getFloat() == 0 && bias.abs().sum().getFloat() == 0) {
            bias.set(new ai.djl.ndarray.index.NDIndex("..."), (float) reward);
        }
    }

    /** V for a batch: (N). */
    public NDArray value(ParameterStore ps, NDArray xt, NDArray steps, NDArray tokens, boolean training) {
        return forward(ps, new NDList(xt, steps, tokens), training).head();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray x = in.get(0);
        long n = x.getShape().get(0);
        NDArray words = in.get(2).toType(DataType.INT32, false).oneHot(vocabulary).sum(new int[] {1});
        // column 0 counts padding: not a word
        NDArray mask = x.getManager().ones(new Shape(1, vocabulary));
        mask.set(new ai.djl.ndarray.index.NDIndex(":, 0"), 0);
        NDArray features = x.reshape(n, -1).concat(words.mul(mask), 1);
        NDArray step = in.get(1).toType(DataType.INT32, false).oneHot(steps); // (N, steps)
        NDArray h = layer(ps, features, w1, b1, g1, step, x);
        h = layer(ps, h, w2, b2, g2, step, x);
        NDArray out = h.matMul(value(ps, w3, x)).add(value(ps, b3, x));
        return new NDList(out.reshape(n));
    }

    private NDArray layer(ParameterStore ps, NDArray in, Parameter w, Parameter b, Parameter g, NDArray step, NDArray like) {
        NDArray linear = in.matMul(value(ps, w, like)).add(value(ps, b, like));
        return Activation.relu(linear.mul(step.matMul(value(ps, g, like))));
    }

    private static NDArray value(ParameterStore ps, Parameter p, NDArray like) {
        return ps.getValue(p, like.getDevice(), true);
    }

    private Parameter weight(String name, Shape shape) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(shape)
                .optInitializer(new XavierInitializer()).build());
    }

    private Parameter bias(String name, int size) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.BIAS).optShape(new Shape(size))
                .optInitializer(new ConstantInitializer(0)).build());
    }

    private Parameter gamma(String name) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(steps, hidden)).optInitializer(new ConstantInitializer(1)).build());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0))};
    }
}
