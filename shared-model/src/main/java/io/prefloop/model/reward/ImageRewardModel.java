package io.prefloop.model.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import io.prefloop.model.nn.conv.Conv2dLayer;
import io.prefloop.model.text.PromptCompletion;
import io.prefloop.model.text.TextTokenizer;
import io.prefloop.model.text.TransformerBody;
import java.util.ArrayList;
import java.util.List;

/**
 * A small conv net scoring an image against its prompt. The prompt is read by a byte-level
 * transformer; the mean of its states over the prompt's tokens scales and shifts every conv layer's
 * channels (FiLM, Perez et al. 2018), because whether "red" is right depends on the prompt, so the
 * prompt must act on the features, and is also concatenated to the pooled image features. The mean
 * (rather than the last token) keeps colour and shape words separable, so unseen colour × shape
 * combinations get a sensible conditioning. Inputs: images (B, 3, S, S) in [−1, 1], prompt tokens
 * (B, T) and prompt mask (B, T), right-padded. Output: rewards (B).
 */
public final class ImageRewardModel extends AbstractBlock {

    private final ImageRewardSpec spec;
    private final TransformerBody promptEncoder;
    private final List<Conv2dLayer> convs = new ArrayList<>();
    private final List<Linear> films = new ArrayList<>();
    private final Linear hidden;
    private final Linear head;

    public ImageRewardModel(ImageRewardSpec spec) {
        this.spec = spec;
        promptEncoder = addChildBlock("prompt", new TransformerBody(spec.prompt()));
        int[] channels = spec.channels();
        for (int i = 0; i < channels.length; i++) {
            int stride = i == 0 ? 1 : 2;
            convs.add(addChildBlock("conv" + i, new Conv2dLayer(channels[i], 3, stride, 1)));
            films.add(addChildBlock("film" + i, Linear.builder().setUnits(2L * channels[i]).build()));
        }
        hidden = addChildBlock("fc", Linear.builder().setUnits(channels[channels.length - 1]).build());
        head = addChildBlock("reward_head", Linear.builder().setUnits(1).build());
    }

    public static ImageRewardModel create(ImageRewardSpec spec, NDManager manager) {
        ImageRewardModel model = new ImageRewardModel(spec);
        model.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        // the prompt encoder starts like the language model (GPT-2 initialisation)
        model.promptEncoder.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        model.initialize(manager, DataType.FLOAT32,
                new Shape(1, 3, spec.imageSize(), spec.imageSize()),
                new Shape(1, spec.prompt().maxLength()), new Shape(1, spec.prompt().maxLength()));
        return model;
    }

    public ImageRewardSpec spec() {
        return spec;
    }

    /** The model's inputs: images (B, 3, S, S) and the prompts, BOS-prefixed and right-padded. */
    public NDList inputs(NDManager manager, TextTokenizer tokenizer, NDArray images, List<String> prompts) {
        int rows = prompts.size();
        List<int[]> encoded = new ArrayList<>();
        for (String p : prompts) {
            int[] ids = PromptCompletion.withBos(tokenizer, p);
            if (ids.length > spec.prompt().maxLength()) {
                throw new IllegalArgumentException("prompt longer than " + spec.prompt().maxLength() + " tokens: " + p);
            }
            encoded.add(ids);
        }
        int time = encoded.stream().mapToInt(a -> a.length).max().orElseThrow();
        long[] tokens = new long[rows * time];
        float[] mask = new float[rows * time];
        for (int r = 0; r < rows; r++) {
            int[] ids = encoded.get(r);
            for (int t = 0; t < time; t++) {
                tokens[r * time + t] = t < ids.length ? ids[t] : tokenizer.padId();
                mask[r * time + t] = t < ids.length ? 1 : 0;
            }
        }
        return new NDList(images, manager.create(tokens).reshape(rows, time), manager.create(mask).reshape(rows, time));
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray promptMask = inputs.get(2);
        NDArray promptStates = promptEncoder.forward(store, new NDList(inputs.get(1), promptMask), training).head();
        NDArray prompt = maskedMean(promptStates, promptMask); // (B, d)
        long batch = x.getShape().get(0);
        int[] channels = spec.channels();
        for (int i = 0; i < convs.size(); i++) {
            x = Activation.relu(convs.get(i).forward(store, new NDList(x), training).head());
            NDArray film = films.get(i).forward(store, new NDList(prompt), training).head().reshape(batch, 2L * channels[i], 1, 1);
            NDArray scale = film.get(new NDIndex(":, 0:{}", channels[i]));
            NDArray shift = film.get(new NDIndex(":, {}:", channels[i]));
            x = x.mul(scale.add(1f)).add(shift);
        }
        NDArray pooled = x.reshape(batch, channels[channels.length - 1], -1).mean(new int[] {2}).concat(prompt, 1);
        NDArray h = Activation.relu(hidden.forward(store, new NDList(pooled), training).head());
        return new NDList(head.forward(store, new NDList(h), training).head().squeeze(1));
    }

    /** Mean over the real tokens: hidden (B, T, d), mask (B, T) → (B, d). */
    private static NDArray maskedMean(NDArray hidden, NDArray mask) {
        NDArray weights = mask.div(mask.sum(new int[] {1}, true)).expandDims(2);
        return hidden.mul(weights).sum(new int[] {1});
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        promptEncoder.initialize(manager, dataType, inputShapes[1], inputShapes[2]);
        Shape promptVector = new Shape(batch, spec.prompt().dModel());
        Shape x = inputShapes[0];
        for (int i = 0; i < convs.size(); i++) {
            convs.get(i).initialize(manager, dataType, x);
            x = convs.get(i).getOutputShapes(new Shape[] {x})[0];
            films.get(i).initialize(manager, dataType, promptVector);
        }
        Shape pooled = new Shape(batch, x.get(1) + spec.prompt().dModel());
        hidden.initialize(manager, dataType, pooled);
        head.initialize(manager, dataType, hidden.getOutputShapes(new Shape[] {pooled})[0]);
    }
}
