package io.prefloop.model.shapes;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.prefloop.model.diffusion.UNet;
import io.prefloop.model.nn.conv.ConvCall;
import io.prefloop.model.nn.conv.Convolutions;
import io.prefloop.model.reward.ImageRewardModel;
import io.prefloop.model.reward.ImageRewardSpec;
import io.prefloop.model.text.ByteTokenizer;
import java.util.ArrayList;
import java.util.List;

/** The convolutions the shapes world's networks (the UNet and the image reward model) make. */
public final class ShapesConvolutions {

    private ShapesConvolutions() {}

    /** Every convolution call of one forward pass of each network at {@code batch} images. */
    public static List<ConvCall> calls(int batch) {
        List<ConvCall> calls = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            UNet unet = UNet.create(ShapesModel.spec(), m);
            int size = ShapesModel.IMAGE_SIZE;
            NDArray x = m.zeros(new Shape(batch, 3, size, size));
            NDArray t = m.zeros(new Shape(batch), DataType.INT32);
            NDArray tokens = m.zeros(new Shape(batch, unet.spec().maxPromptTokens()), DataType.INT32);
            NDArray useNull = m.zeros(new Shape(batch));
            calls.addAll(Convolutions.record(() -> unet.predict(ps, x, t, tokens, useNull, false)));
            ImageRewardModel reward = ImageRewardModel.create(ImageRewardSpec.shapes(ByteTokenizer.VOCAB_SIZE), m);
            NDArray promptTokens = m.zeros(new Shape(batch, 4), DataType.INT64);
            NDArray promptMask = m.ones(new Shape(batch, 4));
            calls.addAll(Convolutions.record(() -> reward.forward(ps, new NDList(x, promptTokens, promptMask), false)));
        }
        return calls;
    }
}
